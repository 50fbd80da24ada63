"""Benchmark: batches against an OpenAI-compatible server on loopback (a separate process).

1. Throughput: records/s of `summarize --jobs K` (the runner in this process) against a server answering
   after 200 ms, for the default strategy (``both``: the reader, in worker processes, and the model) at
   K = 16 and 64 and for ``--strategy model`` at K = 16, 64 and 256, next to a raw ``AsyncOpenAI`` loop
   sending the same request bodies K at a time. The raw loop creates its client and sends K requests before
   its clock starts; ours creates its backend and runs a small batch first (which starts the reader's fork
   server). Runs are paired and interleaved (raw, ours, raw, ours, ...): the ratio of each pair, median and
   range. Client CPU per request counts this process and, for ``both``, the reader's worker processes. The
   reader's own ceiling on this machine, cores / reader CPU per article (measured here on the same
   articles), is printed beside it. Goals: ``both`` ≥ 0.9 × min(raw loop, reader ceiling); ``model`` ≥ 0.9 ×
   the raw loop.
2. Memory and time: `summarizer summarize in.jsonl --out out.jsonl --jobs 8` (the CLI, a subprocess) over
   1k, 10k and 50k-line inputs against a 0-latency server: peak RSS of the largest process (what
   ``/usr/bin/time`` reports) and of the whole process tree (main, fork server and reader workers; RSS and
   PSS summed, sampled every 0.2 s), wall time, then the same command again with nothing left to do.

    .venv/bin/python bench/bench_batch.py throughput [--strategy S] [K ...]   # both: 16 64; model: 16 64 256
    .venv/bin/python bench/bench_batch.py memory [--strategy S] [LINES ...]   # both; 1000 10000 50000
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback servers the tests use

from fault_server import FaultScript, article_text, write_articles  # noqa: E402

from summarizer.config.settings import Settings  # noqa: E402
from summarizer.ingest.article import Article  # noqa: E402
from summarizer.model.extract import build_request  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402
from summarizer.run import runner  # noqa: E402
from summarizer.run.runner import run_articles  # noqa: E402


def process_cpu(pid: int) -> float:
    """utime + stime of a live process, in seconds (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu() -> float:
    """CPU seconds so far of the reader's worker processes (the runner's shared pool)."""
    pool = getattr(runner, "_shared", None)  # None on code without a shared reader pool
    if pool is None:
        return 0.0
    total = 0.0
    for process in list(pool._pool._processes.values()):  # type: ignore[union-attr]
        with suppress(FileNotFoundError, ProcessLookupError):
            total += process_cpu(process.pid)
    return total


def serve(latency_s: float) -> None:
    """The server process: print the URL, answer until killed."""
    from http.server import ThreadingHTTPServer

    from fake_openai_server import ChatServer

    ThreadingHTTPServer.request_queue_size = 512  # 64 clients connect at once
    script = FaultScript()

    def slow(number: int, request: dict) -> object:
        if latency_s:
            time.sleep(latency_s)
        return script(number, request)

    server = ChatServer(slow, max_requests=10**9)  # type: ignore[arg-type]
    server.start()
    print(server.url, flush=True)
    while True:
        time.sleep(3600)


@contextmanager
def server_process(latency_s: float) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(latency_s)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


def articles(n: int, offset: int = 0) -> list[Article]:
    return [
        Article(id=f"a{i}", text=article_text(i), source=f"a{i}.txt", published=None) for i in range(offset, offset + n)
    ]


def settings(url: str, home: Path, strategy: str = "both") -> Settings:
    return Settings.from_env(
        {}, backend="openai", base_url=url, api_key="sk-bench", strategy=strategy, home=home, max_retries=0
    )


def ours(url: str, jobs: int, batch: list[Article], strategy: str) -> tuple[float, float]:
    """Records/s and client CPU seconds per request for the runner (this process and its reader workers)."""
    with tempfile.TemporaryDirectory() as home:
        summarizer = Summarizer(settings(url, Path(home), strategy))
        summarizer.backend  # noqa: B018  (create the client before timing)
        cpu, wall, workers = time.process_time(), time.perf_counter(), workers_cpu()
        tally = run_articles(summarizer, batch, jobs=jobs, use_cache=False)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu + workers_cpu() - workers
    assert tally.records == len(batch), tally
    return len(batch) / wall, cpu / len(batch)


def raw(url: str, jobs: int, batch: list[Article]) -> tuple[float, float]:
    """The same request bodies through a bare AsyncOpenAI client, ``jobs`` at a time; the client is created
    and ``jobs`` requests sent (connections opened) before the clock starts."""
    import openai

    with tempfile.TemporaryDirectory() as home:
        summarizer = Summarizer(settings(url, Path(home), "model"))
        bodies = [
            build_request(summarizer.prompt.render(a), summarizer.settings, summarizer.model_name, 0) for a in batch
        ]

    async def main() -> tuple[float, float]:
        client = openai.AsyncOpenAI(base_url=url, api_key="sk-bench", max_retries=0)
        gate = asyncio.Semaphore(jobs)

        async def one(body: dict) -> None:
            async with gate:
                await client.chat.completions.create(**body)

        await asyncio.gather(*(one(body) for body in bodies[:jobs]))  # warm-up, not timed
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(body) for body in bodies))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await client.close()
        return wall, cpu

    wall, cpu = asyncio.run(main())
    return len(batch) / wall, cpu / len(batch)


def reader_cpu(batch: list[Article]) -> float:
    """CPU seconds per article of the reader in this process, on these articles (after loading it)."""
    from summarizer.reader import read

    read(batch[0].text, batch[0].published)
    started = time.process_time()
    for article in batch:
        read(article.text, article.published)
    return (time.process_time() - started) / len(batch)


def throughput(ks: list[int], pairs: int = 3, only: str | None = None) -> None:
    latency = 0.2
    cores = os.cpu_count() or 1
    print(f"load average {os.getloadavg()[0]:.2f} on {cores} cores (shared with other jobs); server latency 200 ms")
    print("records/s: median of the runs; ratio ours/raw per pair, median (range); client CPU ms per request")
    print(
        f"{'strategy':>8} {'K':>4} {'n':>5} {'ideal':>6} {'raw':>7} {'ours':>7} {'ratio (range)':>19} "
        f"{'ceiling':>8} {'goal':>6} {'cpu raw':>8} {'cpu ours':>9}"
    )
    plan = [("both", k) for k in ks or [16, 64]] + [("model", k) for k in ks or [16, 64, 256]]
    plan = [(strategy, k) for strategy, k in plan if only in (None, strategy)]
    with server_process(latency) as url:
        for strategy in ("both", "model"):
            ours(url, 4, articles(8, offset=10**6), strategy)  # warm-up: imports, connections, the fork server
        ceiling = cores / reader_cpu(articles(200, offset=2 * 10**6))
        for strategy, k in plan:
            batch = articles(max(40, 6 * k))
            runs = []
            for _ in range(pairs):
                runs.append((raw(url, k, batch), ours(url, k, batch, strategy)))
            ratios = [our[0] / theirs[0] for theirs, our in runs]
            raw_rate = statistics.median(theirs[0] for theirs, _ in runs)
            our_rate = statistics.median(our[0] for _, our in runs)
            bound = min(raw_rate, ceiling) if strategy == "both" else raw_rate
            print(
                f"{strategy:>8} {k:>4} {len(batch):>5} {k / latency:>6.0f} {raw_rate:>7.1f} {our_rate:>7.1f} "
                f"{statistics.median(ratios):>7.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
                f"{ceiling if strategy == 'both' else float('nan'):>8.1f} {our_rate / bound:>6.2f} "
                f"{statistics.median(theirs[1] for theirs, _ in runs) * 1000:>8.2f} "
                f"{statistics.median(our[1] for _, our in runs) * 1000:>9.2f}",
                flush=True,
            )
    print(
        f"reader ceiling = {cores} cores / {cores / ceiling * 1000:.1f} ms reader CPU per article; "
        f"goal = ours / min(raw, ceiling) for both, ours / raw for model; load average {os.getloadavg()[0]:.2f}"
    )


def tree(root: int) -> list[int]:
    """``root`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_memory(root: int) -> tuple[float, float]:
    """RSS and PSS of the process tree under ``root``, summed, in MB (PSS shares pages the fork server's
    children have in common with it, RSS counts them in each)."""
    rss = pss = 0
    for pid in tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float, float, float, int]:
    """Wall seconds, peak RSS in MB of the largest process, peak RSS and PSS of the tree, and exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "summarizer", "summarize", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peaks = [0.0, 0.0]

    def sample() -> None:
        while process.poll() is None:
            rss, pss = tree_memory(process.pid)
            peaks[0], peaks[1] = max(peaks[0], rss), max(peaks[1], pss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    sampler.join()
    wall = time.perf_counter() - started
    peak_kb = int(stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024, peaks[0], peaks[1], process.returncode


def memory(sizes: list[int], strategy: str = "both") -> None:
    print(f"load average {os.getloadavg()[0]:.2f} (2 shared cores); CLI, --strategy {strategy}, 0-latency server,")
    print("--jobs 8: wall s; peak MB of the largest process, of the process tree (RSS, PSS); then the resume")
    print(
        f"{'lines':>7} {'wall':>8} {'rate/s':>8} {'peak MB':>8} {'tree RSS':>9} {'tree PSS':>9} "
        f"{'resume s':>9} {'resume MB':>10}"
    )
    with server_process(0.0) as url, tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            work = Path(folder) / str(size)
            work.mkdir()
            write_articles(work / "in.jsonl", size)
            env = {
                **os.environ,
                "OPENAI_BASE_URL": url,
                "OPENAI_API_KEY": "sk-bench",
                "SUMMARIZER_HOME": str(work / "home"),
                "SUMMARIZER_STRATEGY": strategy,
                "SUMMARIZER_MAX_RETRIES": "0",
            }
            args = [str(work / "in.jsonl"), "--out", str(work / "out.jsonl"), "--jobs", "8", "-q"]
            wall, peak, tree_rss, tree_pss, code = run_cli(args, env)
            lines = len((work / "out.jsonl").read_bytes().splitlines())
            assert code == 0 and lines == size, (code, lines)
            resume_wall, resume_peak, _, _, code = run_cli(args, env)
            assert code == 0
            print(
                f"{size:>7} {wall:>8.1f} {size / wall:>8.1f} {peak:>8.0f} {tree_rss:>9.0f} {tree_pss:>9.0f} "
                f"{resume_wall:>9.2f} {resume_peak:>10.0f}",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(float(sys.argv[2]))
    elif sys.argv[1:2] == ["memory"]:
        arguments = sys.argv[2:]
        chosen = "both"
        if arguments[:1] == ["--strategy"]:
            chosen, arguments = arguments[1], arguments[2:]
        memory([int(n) for n in arguments] or [1000, 10000, 50000], chosen)
    else:
        arguments = [a for a in sys.argv[1:] if a != "throughput"]
        only = None
        if arguments[:1] == ["--strategy"]:
            only, arguments = arguments[1], arguments[2:]
        throughput([int(k) for k in arguments], only=only)
