"""Runs workloads on PyTorch for seqlab's benchmark orchestrator (bench/run.ts).

    /usr/bin/python3 bench/runners/torch_runner.py THREADS

Speaks bench/protocol.ts: one JSON request per stdin line, one JSON response per stdout
line. The orchestrator sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and
OMP_WAIT_POLICY=PASSIVE in the environment; this sets torch.set_num_threads as well
(performance.md: all of them, or 2 threads run 2-6x slower than 1). The timing loop
mirrors bench/harness.ts.
"""
import json
import os
import sys
import time
import traceback


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def blas_library():
    """The BLAS shared object actually mapped (Debian's alternatives decide which)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(libs)
    except OSError:
        return []


def calibrate(step, warmup_seconds, target_seconds):
    start = time.perf_counter()
    n = 0
    last = 0.0
    while n < 3 or time.perf_counter() - start < warmup_seconds:
        t = time.perf_counter()
        step()
        last = time.perf_counter() - t
        n += 1
    return max(1, round(target_seconds / max(last, 1e-9)))


def time_run(step, reps):
    if reps > 1:
        step()
    t = time.perf_counter()
    for _ in range(reps):
        step()
    return (time.perf_counter() - t) / reps


def main():
    threads = int(sys.argv[1])
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    # Load BLAS now so the hello reply can name it.
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))
    steps = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "exit":
                break
            if cmd == "hello":
                send({
                    "ok": True,
                    "name": "torch %s %dT" % (torch.__version__, threads),
                    "details": {
                        "version": torch.__version__,
                        "threads": torch.get_num_threads(),
                        "blas": blas_library(),
                        "env": {k: os.environ.get(k) for k in (
                            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY")},
                    },
                })
            elif cmd == "setup":
                code = req.get("code")
                if code is None:
                    send({"ok": True, "id": req["id"], "reps": 0, "skipped": "not written for this implementation"})
                    continue
                ns = {"torch": torch}
                exec(compile(code, "<workload %s>" % req["id"], "exec"), ns)
                step = ns["make"]()
                reps = calibrate(step, req["warmupSeconds"], req["targetSeconds"])
                steps[req["id"]] = (step, reps)
                send({"ok": True, "id": req["id"], "reps": reps})
            elif cmd == "run":
                step, reps = steps[req["id"]]
                send({"ok": True, "id": req["id"], "seconds": time_run(step, reps), "reps": reps})
            else:
                send({"ok": False, "error": "unknown command %r" % cmd})
        except Exception:
            send({"ok": False, "error": traceback.format_exc()})


if __name__ == "__main__":
    main()
