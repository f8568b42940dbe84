// Register-tile and cache-block sizes shared by the packing routines and the driver.
//
// The register tile is MR rows x NR columns of C held in v128 accumulators for a whole
// K block. V8 (x64) gives wasm 15 allocatable xmm registers and schedules all loads of
// an iteration before its arithmetic, so a tile must fit accumulators + every B vector
// + every A broadcast of one k step in 15 registers:
//   - 4 x 8 with mul+add: 8 accumulators + 2 B + 4 A + 1 product temporary = 15;
//   - 3 x 12 with relaxed FMA: 9 accumulators + 3 B + 3 A = 15 (no temporary needed).
// Unrolling k would double the loads in flight and spill, so the k loop is not unrolled.

/** Rows of C per register tile. */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 3 : 4;
/** Columns of C per register tile (a multiple of 4: whole v128 lanes). */
export const NR: i32 = ASC_FEATURE_RELAXED_SIMD ? 12 : 8;
/** Depth of one K block: an A micro-panel (MR x KC) and a B micro-panel (KC x NR) stay in L1. */
export const KC: i32 = 256;
/** Rows of A packed at once (a multiple of MR): the packed A block (MC x KC) stays in L2. */
export const MC: i32 = MR * (144 / MR);
/** Columns of B packed at once (a multiple of NR): the packed B block (KC x NC) sits in L2/L3. */
export const NC: i32 = NR * (2048 / NR);

/**
 * Bytes of workspace one thread needs: packed A block (+16 bytes of slack for the
 * overlapping stores of pack.ts, a cache line to keep B aligned), packed B block, one edge tile.
 */
export const PACK_A_BYTES: usize = <usize>(MC * KC * 4 + 64);
export const PACK_B_BYTES: usize = <usize>(KC * NC * 4);
export const TILE_BYTES: usize = <usize>(MR * NR * 4);
export const WORKSPACE_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
