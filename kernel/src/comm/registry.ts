/**
 * The session's table of open comms (comm id -> target name), which `comm_info_request`
 * reads. It learns of comms from both directions: frontend `comm_open`/`comm_close` requests
 * and the execution side's published `comm_open`/`comm_close` messages.
 */
export class CommRegistry {
  private readonly open = new Map<string, string>();

  opened(commId: string, targetName: string): void {
    this.open.set(commId, targetName);
  }

  closed(commId: string): void {
    this.open.delete(commId);
  }

  /** The `comms` field of a comm_info_reply, optionally only for one target. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const [id, target] of this.open) {
      if (targetName === undefined || targetName === '' || targetName === target) out[id] = { target_name: target };
    }
    return out;
  }

  /** Forgets every comm (after a restart of the execution side). */
  clear(): void {
    this.open.clear();
  }
}
