"""Benchmark: batches against an OpenAI-compatible server on loopback (a separate process).

1. Throughput: records/s of `summarize --jobs K` (the runner in this process) for K = 1, 4, 16, 64
   against a server answering after 200 ms, next to the ideal K / 0.2 s and to a raw ``AsyncOpenAI``
   loop sending the same request bodies K at a time, in the same run; and the client CPU per request
   of both (goal: ≥ 0.9 × the raw loop at K = 16 and 64; ≤ 5 ms more CPU per request).
2. Memory and time: `summarizer summarize in.jsonl --out out.jsonl` (the CLI, a subprocess) over
   1k, 10k and 50k-line inputs against a 0-latency server: peak RSS and wall time, then the same
   command again with nothing left to do (the resume).

    .venv/bin/python bench/bench_batch.py throughput [K ...]
    .venv/bin/python bench/bench_batch.py memory [LINES ...]      # default: 1000 10000 50000
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback servers the tests use

from fault_server import FaultScript, article_text, write_articles  # noqa: E402

from summarizer.articles import Article  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.extract import build_request  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402
from summarizer.runner import run_articles  # noqa: E402


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


def settings(url: str, home: Path) -> Settings:
    return Settings.from_env(
        {}, backend="openai", base_url=url, api_key="sk-bench", strategy="model", home=home, max_retries=0
    )


def ours(url: str, jobs: int, batch: list[Article]) -> tuple[float, float]:
    """Records/s and client CPU seconds per request for the runner."""
    with tempfile.TemporaryDirectory() as home:
        summarizer = Summarizer(settings(url, Path(home)))
        summarizer.backend  # noqa: B018  (create the client before timing)
        cpu, wall = time.process_time(), time.perf_counter()
        tally = run_articles(summarizer, batch, jobs=jobs, use_cache=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert tally.records == len(batch), tally
    return len(batch) / wall, cpu / len(batch)


def raw(url: str, jobs: int, batch: list[Article]) -> tuple[float, float]:
    """The same request bodies through a bare AsyncOpenAI client, ``jobs`` at a time."""
    import openai

    with tempfile.TemporaryDirectory() as home:
        summarizer = Summarizer(settings(url, Path(home)))
        bodies = [
            build_request(summarizer.prompt.render(a), summarizer.settings, summarizer.model_name, 0) for a in batch
        ]

    async def main() -> None:
        client = openai.AsyncOpenAI(base_url=url, api_key="sk-bench", max_retries=0)
        gate = asyncio.Semaphore(jobs)

        async def one(body: dict) -> None:
            async with gate:
                await client.chat.completions.create(**body)

        await asyncio.gather(*(one(body) for body in bodies))
        await client.close()

    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(main())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(batch) / wall, cpu / len(batch)


def throughput(ks: list[int]) -> None:
    latency = 0.2
    print(f"server latency {latency * 1000:.0f} ms; records/s (ratio to the raw loop), client CPU ms per request")
    print(f"{'K':>4} {'n':>5} {'ideal':>7} {'raw':>7} {'ours':>7} {'ours/raw':>9} {'cpu raw':>8} {'cpu ours':>9}")
    with server_process(latency) as url:
        ours(url, 4, articles(8, offset=10**6))  # warm-up: imports, connections
        for k in ks:
            batch = articles(max(40, 6 * k))
            raw_rate, raw_cpu = raw(url, k, batch)
            our_rate, our_cpu = ours(url, k, batch)
            print(
                f"{k:>4} {len(batch):>5} {k / latency:>7.1f} {raw_rate:>7.1f} {our_rate:>7.1f} "
                f"{our_rate / raw_rate:>9.2f} {raw_cpu * 1000:>8.2f} {our_cpu * 1000:>9.2f}",
                flush=True,
            )


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one CLI run."""
    started = time.perf_counter()
    code = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "summarizer", "summarize", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    peak_kb = int(code.stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024, code.returncode


def memory(sizes: list[int]) -> None:
    print("CLI, 0-latency server, --jobs 8: wall s, peak RSS MB; then the resume with nothing left")
    print(f"{'lines':>7} {'wall':>8} {'rate/s':>8} {'peak MB':>8} {'resume s':>9} {'resume MB':>10}")
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
                "SUMMARIZER_STRATEGY": "model",
                "SUMMARIZER_MAX_RETRIES": "0",
            }
            args = [str(work / "in.jsonl"), "--out", str(work / "out.jsonl"), "--jobs", "8", "-q"]
            wall, peak, code = run_cli(args, env)
            lines = len((work / "out.jsonl").read_bytes().splitlines())
            assert code == 0 and lines == size, (code, lines)
            resume_wall, resume_peak, code = run_cli(args, env)
            assert code == 0
            print(
                f"{size:>7} {wall:>8.1f} {size / wall:>8.1f} {peak:>8.0f} {resume_wall:>9.2f} {resume_peak:>10.0f}",
                flush=True,
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(float(sys.argv[2]))
    elif sys.argv[1:2] == ["memory"]:
        memory([int(n) for n in sys.argv[2:]] or [1000, 10000, 50000])
    else:
        throughput([int(k) for k in sys.argv[2:]] or [1, 4, 16, 64])
