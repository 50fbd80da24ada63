"""`summarizer eval`: run the fixtures, report, compare with a baseline, gate; `eval init` starts a fixtures folder.

Exit codes: 0 ok, 1 a case failed or the gate failed (including a --max-drop gate over too few cases to
detect the drop it asks for), 2 usage or configuration error (malformed fixtures included), 130 interrupted;
each command's --help lists its own. ``summarizer.cli.root`` imports this module only when `summarizer eval`
runs or shows its help (its ``LazyGroup``). Tests (or embedding programs) may pass
``obj={"make_summarizer": callable(settings) -> Summarizer}`` to run on another backend
(``summarizer.cli.kit.SUMMARIZER_KEY``, as for every command that builds a Summarizer).
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from summarizer.cli.kit import (
    EXISTING_FILE,
    FILE,
    MODEL_ENVIRONMENT,
    MODEL_OPTIONS,
    OPTION_WINS,
    UsageError,
    domain_errors,
    help_epilog,
    model_options,
    new_summarizer,
    settings_from_options,
    setup_line,
)
from summarizer.cli.logs import runs_view
from summarizer.config.settings import STRATEGIES, Settings
from summarizer.errors import PromptError
from summarizer.evals.answers import load_answers, save_answers
from summarizer.evals.compare import (
    Gate,
    NoBaseline,
    check_gate,
    compare_runs,
    comparison_json,
    comparison_table,
    differences,
    parse_thresholds,
    refresh_command,
    resolve_run,
    staleness,
)
from summarizer.evals.fixtures import Case, load_fixtures
from summarizer.evals.html import render_html
from summarizer.evals.oracle import OracleBackend
from summarizer.evals.report import print_run, strategy_table
from summarizer.evals.results import CaseRow, Run, write_report
from summarizer.evals.runner import Progress, run_eval, save_run, select_cases
from summarizer.evals.trust import build_profile
from summarizer.ingest.articles import LABELS_SUFFIX
from summarizer.model.backends import ChatBackend
from summarizer.model.prompts import load_prompt
from summarizer.pipeline import Summarizer
from summarizer.store.database import Store
from summarizer.store.logs import Filters, run_logs

DEFAULT_FIXTURES = Path("evals/fixtures")
STARTER_SUFFIXES = (".txt", ".json", ".md")  # the files of summarizer/evals/starter/ that `eval init` copies

# The help's epilogs (summarizer.cli.kit.help_epilog); every example runs from a clone of the repository, and
# those with --strategy reader in seconds (no model). `eval` reads what Settings.from_env reads, and has the
# same model options, as `summarize`.
# `eval compare` and `eval runs` read the store alone (though Settings.from_env checks every variable).
STORE_ENVIRONMENT = [
    ("SUMMARIZER_HOME", "the store of saved runs [~/.local/share/summarizer,\nor $XDG_DATA_HOME/summarizer]"),
]
COMPARE_IDS = "summarizer eval compare RUN_A RUN_B    # ids from `summarizer eval runs`"


def _console(stderr: bool = False) -> Console:
    """A console for reports; wide when writing to a file or pipe, so tables do not wrap in CI logs."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=max(console.width, 160))


def _store(ctx: click.Context, settings: Settings | None = None) -> Store:
    obj = ctx.find_root().obj
    store = obj.get("store") if isinstance(obj, dict) else None
    if isinstance(store, Store):
        return store
    return Store.open((settings or Settings.from_env()).home)


def gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--max-drop",
        type=click.FloatRange(0.0, 1.0),
        help="Fail (exit 1) when a field's F1 drops by more than this versus the baseline, beyond noise. "
        "Also fails (exit 1, 'GATE CANNOT DETECT') when the shared cases are too few for such a drop to be beyond "
        "noise: one worse case never is, and from 9 cases on it takes 4, so with N cases VALUE must be at least "
        "about 3/N; the message says how many cases or what VALUE would do.",
    )(command)
    return click.option(
        "--fail-under",
        multiple=True,
        metavar="FIELD=VALUE",
        help="Fail (exit 1) when FIELD's F1 is under VALUE; FIELD may be micro or macro. Repeatable.",
    )(command)


@click.group(
    "eval",
    invoke_without_command=True,
    subcommand_metavar="[COMMAND [ARGS]...]",
    epilog=help_epilog(
        [
            "summarizer eval --strategy reader --limit 3     # seconds: no model",
            "summarizer eval --strategy reader --save-baseline reader.json",
            "summarizer eval --strategy reader --baseline reader.json --max-drop 0.1",
        ],
        MODEL_ENVIRONMENT,
        [
            (0, "every case ran, and the gate (if any) passed"),
            (
                1,
                "a case failed (its error on stderr, e.g. a server that\n"
                "cannot be reached), the gate failed (GATE FAILED), or it\n"
                "cannot detect the drop asked for (GATE CANNOT DETECT)",
            ),
            (
                2,
                "usage or configuration error: an option, a prompt, no\n"
                "fixtures, a malformed fixture, an unknown --case, no baseline",
            ),
            (130, "interrupted (Ctrl-C); the run is not saved"),
        ],
        environment_title=OPTION_WINS,
    ),
)
@click.option(
    "--fixtures",
    type=click.Path(path_type=Path),
    default=DEFAULT_FIXTURES,
    show_default=True,
    help="Folder of NAME.labels.json + article files (format: LABELLING.md); relative to the current folder. "
    "`summarizer eval init DIR` writes a starter one.",
)
@model_options(
    strategy=click.option(
        "--strategy",
        type=click.Choice([*STRATEGIES, "all"]),
        help="both (default), model, reader; 'all' runs the three (the model is asked once per case) and shows "
        "each field's F1 side by side; the 'both' run is the one compared and gated.",
    )
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs per case; with --temperature above 0, to measure run-to-run noise.",
)
@click.option(
    "-j", "--jobs", "--concurrency", "concurrency", type=click.IntRange(min=1), default=1, show_default=True,
    help="Cases run at once (--concurrency is the old name).",
)  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Ask the model again instead of reusing stored answers.")
@click.option(
    "--oracle",
    is_flag=True,
    help="Answer every case with its own labels (verbatim evidence) instead of a model: what the pipeline loses "
    "from a perfect answer. Labels that cannot be given evidence are reported as fixture bugs.",
)
@click.option(
    "--noise",
    type=int,
    metavar="SEED",
    help="With --oracle: perturb the answers as real models err (counts off, places swapped, invented speakers, "
    "wrong types), reproducibly for SEED: what the pipeline catches.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N cases.")
@click.option("--case", "case_names", multiple=True, metavar="NAME", help="Only this case (repeatable).")
@click.option("--json", "json_out", metavar="PATH|-", help="Write the versioned JSON report ('-' = stdout).")
@click.option("--html", "html_out", type=FILE, help="Write an HTML report.")
@click.option(
    "--baseline",
    metavar="RUN_ID|PROMPT|PATH",
    help="Compare with a saved run, a prompt's latest run, or a report file.",
)
@click.option(
    "--save-baseline",
    type=FILE,
    help="Write this run as the accepted baseline report (e.g. evals/baselines/default-local.json).",
)
@click.option(
    "--answers",
    "answers_in",
    type=EXISTING_FILE,
    help="Stored answers to replay (a file from --save-answers): put into the store first, so only cases it "
    "lacks ask the model.",
)
@click.option(
    "--save-answers",
    type=FILE,
    help="Write the model's stored answers to the cases run, for replay on any machine with --answers.",
)
@click.option(
    "--save-profile",
    type=FILE,
    help="With --strategy all: write the trust profile measured here (per field, how precise the model and the "
    "reader were) for this backend, model and prompt; `summarize` uses it when saved under "
    "$SUMMARIZER_HOME/profiles/ or named with --trust-profile.",
)
@gate_options
@click.pass_context
def eval_group(ctx: click.Context, /, **options: Any) -> None:
    """Score the summarizer on hand-labelled fixtures, field by field; compare with a baseline and gate.

    Plain `summarizer eval` runs every fixture in ./evals/fixtures on the default prompt and backend;
    no fixtures yet? `summarizer eval init DIR` writes a starter folder to copy from. Runs are saved;
    see `summarizer eval runs` and `summarizer eval compare A B`. A baseline made by other code
    (schema, grounding, reader, tool schema) is reported as stale, with the command that refreshes it.
    """
    if ctx.invoked_subcommand is not None:
        return
    with domain_errors():
        ctx.exit(_run(ctx, **options))


def _run(ctx: click.Context, **o: Any) -> int:
    json_to_stdout = o["json_out"] == "-"
    console = _console(stderr=json_to_stdout)
    errors = _console(stderr=True)
    fail_under = parse_thresholds(o["fail_under"])
    if o["max_drop"] is not None and not o["baseline"]:
        raise UsageError("--max-drop needs --baseline RUN_ID|PROMPT|PATH")
    model = {name: o[name] for name in MODEL_OPTIONS}
    settings = settings_from_options(**{**model, "strategy": "both" if o["strategy"] == "all" else o["strategy"]})
    check_fixtures_folder(o["fixtures"], ctx.get_parameter_source("fixtures") == click.core.ParameterSource.DEFAULT)
    dataset = load_fixtures(o["fixtures"])
    cases = select_cases(dataset, o["case_names"], o["limit"])
    if o["save_profile"] and o["strategy"] != "all":
        raise UsageError("--save-profile needs --strategy all (it compares the model alone with the reader alone)")
    if o["noise"] is not None and not o["oracle"]:
        raise UsageError("--noise SEED needs --oracle")
    backend = _oracle(cases, o["noise"], errors) if o["oracle"] else None
    if backend is not None:
        o["no_cache"] = True  # labels change without changing an answer's key: never replay a stored oracle answer
    summarizer = new_summarizer(settings, backend)
    store = summarizer.store
    if o["answers_in"]:
        with domain_errors():
            added = load_answers(summarizer, o["answers_in"])
        errors.print(f"answers: {added} stored from {o['answers_in']}", markup=False, highlight=False)

    def progress(done: int, total: int, row: CaseRow) -> None:
        status = f"error: {row.error}" if row.error else "cached" if row.cached else f"{row.latency_s:.1f}s"
        errors.print(f"[{done}/{total}] {row.case} #{row.repeat} {status}", markup=False, highlight=False)

    errors.print(
        f"eval: {len(cases)} case(s) x {o['repeat']} from {dataset.path} · {setup_line(summarizer)}",
        markup=False,
        highlight=False,
    )
    run = _evaluate(summarizer, cases, o, dataset.path, progress=progress)
    save_run(store, run)
    if o["strategy"] == "all":
        runs = {settings.strategy: run}
        for other in ("model", "reader"):
            errors.print(f"eval: strategy {other}", markup=False, highlight=False)
            runs[other] = _evaluate(
                new_summarizer(settings.with_(strategy=other), backend),
                cases,
                o,
                dataset.path,
                use_cache=backend is None,
            )
            save_run(store, runs[other])
        console.print(strategy_table(runs))
        if o["save_profile"]:
            _save_profile(settings, backend, cases, runs["model"], runs["reader"], o["save_profile"], errors)
    print_run(run, console)

    report: dict[str, Any] = run.to_json()
    gate: Gate | None = None
    if o["baseline"]:
        baseline = _baseline(o["baseline"], run, store, cases, {**o, "settings": settings}, errors)
        deltas = compare_runs(baseline, run)
        for line in differences(baseline, run):
            console.print(line, markup=False, highlight=False)
        stale = _print_staleness(o["baseline"], baseline, run, console)
        console.print(comparison_table(baseline, run, deltas))
        gate = check_gate(run, deltas, fail_under, o["max_drop"], baseline=baseline)
        report["comparison"] = comparison_json(baseline, deltas, gate, *stale)
    elif fail_under:
        gate = check_gate(run, None, fail_under, None)
        report["gate"] = gate.to_json()

    if o["html_out"]:
        o["html_out"].write_text(render_html(run, {c.name: c.article.text for c in cases}), encoding="utf-8")
        errors.print(f"wrote {o['html_out']} (HTML report)", markup=False, highlight=False)
    if o["save_answers"] and settings.strategy != "reader":
        # --strategy all: the model-alone run's answers (the both run may ask less, as its profile says)
        saved_by = new_summarizer(settings.with_(strategy="model"), backend) if o["strategy"] == "all" else summarizer
        written = save_answers(saved_by, cases, o["save_answers"])
        errors.print(f"wrote {o['save_answers']} ({written} stored answers)", markup=False, highlight=False)
    if o["save_baseline"]:
        write_report(run, o["save_baseline"])
        errors.print(f"baseline written to {o['save_baseline']}; commit it to accept it", markup=False)
    if json_to_stdout:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    elif o["json_out"]:
        Path(o["json_out"]).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        errors.print(f"wrote {o['json_out']} (JSON report)", markup=False, highlight=False)
    console.print(f"run saved as {run.run_id}", markup=False, highlight=False)
    verdict = _verdict(gate, errors)
    failed = [row for row in run.rows if row.error]
    if failed:  # a case that never got a record is a failure of the run, whatever its scores
        errors.print(f"{len(failed)} case run(s) failed (first: {failed[0].case}: {failed[0].error})", markup=False)
    return 1 if failed else verdict


def _save_profile(
    settings: Settings,
    backend: ChatBackend | None,
    cases: list[Case],
    model_run: Run,
    reader_run: Run,
    path: Path,
    errors: Console,
) -> None:
    measured_by = new_summarizer(settings.with_(strategy="model"), backend)
    profile = build_profile(measured_by, cases, model_run, reader_run, path.stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile.to_json(), indent=2) + "\n", encoding="utf-8")
    led = sorted(name for name, trust in profile.fields.items() if trust.leader == "reader")
    errors.print(
        f"trust profile written to {path} (the reader leads on: {', '.join(led) or 'nothing'})",
        markup=False,
        highlight=False,
    )


def _oracle(cases: list[Case], noise: int | None, errors: Console) -> ChatBackend:
    """The label-replay backend, after saying which labels no verbatim evidence supports (fixture bugs)."""
    backend = OracleBackend.for_cases(cases, noise)
    for name, answer in backend.answers.items():
        for problem in answer.fixture_problems:
            errors.print(f"fixture bug: {name}: {problem}", markup=False, highlight=False)
    return backend


def _evaluate(
    summarizer: Summarizer,
    cases: list[Case],
    o: dict[str, Any],
    fixtures: str | Path,
    *,
    use_cache: bool | None = None,
    progress: Progress | None = None,
) -> Run:
    """``run_eval`` with the run's --repeat, --jobs and --no-cache (``use_cache`` given: in place of --no-cache)."""
    return run_eval(
        summarizer,
        cases,
        repeat=o["repeat"],
        concurrency=o["concurrency"],
        use_cache=not o["no_cache"] if use_cache is None else use_cache,
        fixtures=fixtures,
        progress=progress,
    )


def check_fixtures_folder(folder: Path, default: bool) -> None:
    """A usage error that says what to do when there is no fixtures folder, or nothing in it, to run."""
    quoted = shlex.quote(str(folder))
    what = "two example cases and the labelling guide"
    if not folder.is_dir() and default:
        raise UsageError(
            f"no fixtures folder at {folder} (the default, relative to the current folder {Path.cwd()}). Run from "
            f"the folder that holds {folder}, point to one with `--fixtures DIR`, or start one with `summarizer eval "
            f"init DIR` ({what}; `summarizer eval init {quoted}` makes plain `summarizer eval` find it here)."
        )
    if not folder.is_dir():
        raise UsageError(
            f"no fixtures folder at {folder}. Check the path, or start one there with `summarizer eval init {quoted}` "
            f"({what})."
        )
    if not any(folder.rglob(f"*{LABELS_SUFFIX}")):
        raise UsageError(
            f"no fixtures in {folder}: expected NAME{LABELS_SUFFIX} files, each beside its article. `summarizer eval "
            f"init {quoted}` writes {what} there (it never overwrites files); or point to another folder with "
            "`--fixtures DIR`."
        )


def _print_staleness(reference: str, baseline: Run, candidate: Run, console: Console) -> tuple[list[str], str]:
    """Warn, one line per difference, when the baseline was made by other code; then how to refresh it."""
    stale = staleness(baseline, candidate)
    refresh = refresh_command(reference, baseline)
    for line in stale:
        console.print(f"warning: stale baseline: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    if stale:  # never wrapped: the command is copied from CI logs
        console.print(f"refresh the baseline: {refresh}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    return stale, refresh


def _baseline(reference: str, run: Run, store: Store, cases: list[Case], o: dict[str, Any], out: Console) -> Run:
    """The saved baseline; for a prompt never run on this backend and model, a run of it now (through the
    answer cache, so a prompt that was evaluated before costs no model calls)."""
    try:
        return resolve_run(reference, store, like=run.meta, exclude=run.run_id)
    except NoBaseline:
        if not _is_prompt(reference):
            raise
    out.print(f"baseline: no saved run of prompt {reference!r} on this backend and model; running it", markup=False)
    settings: Settings = o["settings"]
    summarizer = new_summarizer(settings.with_(prompt=reference))
    baseline = _evaluate(summarizer, cases, o, run.meta["fixtures"])
    save_run(summarizer.store, baseline)
    return baseline


def _is_prompt(reference: str) -> bool:
    try:
        load_prompt(reference)
    except PromptError:
        return False
    return True


def _verdict(gate: Gate | None, console: Console) -> int:
    if gate is None:
        return 0
    for failure in gate.failures:
        console.print(f"GATE FAILED {failure}", style="bold red", markup=False, highlight=False)
    if gate.underpowered:
        console.print(
            f"GATE CANNOT DETECT: {gate.underpowered}", style="bold red", markup=False, highlight=False, soft_wrap=True
        )
    if gate.blind_fields and gate.power is not None:
        console.print(
            f"note: a drop just over {gate.power.max_drop:g} can go unseen in these fields, scored in too few of the "
            f"shared cases to tell it from noise (label more articles that state them): {', '.join(gate.blind_fields)}",
            style="yellow", markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    if gate.passed:
        console.print("gate passed", style="green")
    return 0 if gate.passed else 1


@eval_group.command(
    "compare",
    epilog=help_epilog(
        [
            COMPARE_IDS,
            "summarizer eval compare default terse  # latest runs of two prompts",
            "summarizer eval compare reader.json default --max-drop 0.1 --json -",
        ],
        STORE_ENVIRONMENT,
        [
            (0, "compared; with --fail-under or --max-drop, the gate passed"),
            (1, "the gate failed (GATE FAILED), or it cannot detect the\ndrop asked for (GATE CANNOT DETECT)"),
            (
                2,
                "usage or configuration error: no saved run, prompt run or\n"
                "report of that name, an unreadable report, a bad FIELD=VALUE",
            ),
        ],
    ),
)
@click.argument("baseline")
@click.argument("candidate")
@click.option("--json", "json_out", metavar="PATH|-", help="Write the comparison as JSON ('-' = stdout).")
@gate_options
@click.pass_context
def compare_command(
    ctx: click.Context,
    baseline: str,
    candidate: str,
    json_out: str | None,
    fail_under: tuple[str, ...],
    max_drop: float | None,
) -> None:
    """Per-field F1 deltas of CANDIDATE against BASELINE (run ids, prompt names or report files)."""
    with domain_errors():
        thresholds = parse_thresholds(fail_under)
        store = _store(ctx)
        base_run = resolve_run(baseline, store)
        cand_run = resolve_run(candidate, store, like=base_run.meta, exclude=base_run.run_id)
        deltas = compare_runs(base_run, cand_run)
        console = _console(stderr=json_out == "-")
        for line in differences(base_run, cand_run):
            console.print(line, markup=False, highlight=False)
        stale = _print_staleness(baseline, base_run, cand_run, console)
        console.print(comparison_table(base_run, cand_run, deltas))
        gate = check_gate(cand_run, deltas, thresholds, max_drop, baseline=base_run)
        data = json.dumps(comparison_json(base_run, deltas, gate, *stale), indent=2) + "\n"
        if json_out == "-":
            sys.stdout.write(data)
        elif json_out:
            Path(json_out).write_text(data, encoding="utf-8")
            _console(stderr=True).print(f"wrote {json_out} (JSON comparison)", markup=False, highlight=False)
    ctx.exit(_verdict(gate, _console(stderr=True)) if (thresholds or max_drop is not None) else 0)


@eval_group.command(
    "init",
    epilog=help_epilog(
        ["summarizer eval init my-evals", "summarizer eval --fixtures my-evals --strategy reader"],
        "none; init only copies files shipped with summarizer.",
        [
            (0, "written: one line per file on stdout"),
            (1, "the starter files are missing from this installation"),
            (2, "DIR is a file, or already has one of the starter's files\n(nothing is written)"),
        ],
    ),
)
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
def init_command(folder: Path) -> None:
    """Write a starter fixtures folder DIR: two example cases and the labelling guide.

    Each case is an article (NAME.txt) and its hand labels (NAME.labels.json); LABELLING.md says how to
    label your own. Files already there are never overwritten (exit 2). Then run
    `summarizer eval --fixtures DIR`.
    """
    starter = [item for item in files("summarizer.evals").joinpath("starter").iterdir() if _is_starter(item.name)]
    if not starter:
        raise click.ClickException("the starter fixtures are missing from this installation (summarizer/evals/starter)")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder; give a new or empty folder")
    clashes = sorted(item.name for item in starter if (folder / item.name).exists())
    if clashes:
        raise UsageError(
            f"{folder} already has {', '.join(clashes)}; nothing was written (init never overwrites files: "
            "give a new or empty folder, or move those files away)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for item in sorted(starter, key=lambda item: item.name):
        target = folder / item.name
        with target.open("xb") as out:  # "x": a file that appeared meanwhile is not overwritten either
            out.write(item.read_bytes())
        click.echo(f"wrote {target}")
    cases = sum(1 for item in starter if item.name.endswith(LABELS_SUFFIX))
    click.echo(f"{cases} example cases and the labelling guide ({folder / 'LABELLING.md'}); add your own beside them.")
    click.echo(f"next: summarizer eval --fixtures {shlex.quote(str(folder))}")


def _is_starter(name: str) -> bool:
    return not name.startswith((".", "_")) and name.endswith(STARTER_SUFFIXES)


@eval_group.command(
    "runs",
    epilog=help_epilog(
        ["summarizer eval runs", "summarizer eval runs --limit 5", COMPARE_IDS],
        STORE_ENVIRONMENT,
        [
            (0, "ok (also when no run is saved yet)"),
            (2, "a store that cannot be opened, or settings in the\nenvironment that `summarize` would refuse"),
        ],
    ),
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many runs to list.")
@click.pass_context
def runs_command(ctx: click.Context, limit: int) -> None:
    """List saved eval runs, newest first."""
    with domain_errors():
        runs = run_logs(_store(ctx), Filters(), limit)
    if not runs:
        click.echo("no saved eval runs yet; run `summarizer eval`")
        return
    console = _console()  # the table `summarizer logs runs` shows: it fits the terminal's width
    console.print(runs_view(runs, width=console.width, title=f"{len(runs)} eval run(s), newest first"))


def _score(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "-"
