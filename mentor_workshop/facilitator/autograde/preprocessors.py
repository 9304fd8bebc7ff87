"""nbgrader's autograde preprocessors, as the course configures them, plus the kit's two fixes.

Why nbgrader's own classes: a participant's scores must not depend on which tool graded them,
so the pipelines are nbgrader's ``Autograde`` lists, read from the course's config, in
nbgrader's order. Two classes are replaced by subclasses that do exactly what nbgrader does
wherever nbgrader succeeds, and carry on where it gives up:

* ``OverwriteCells`` -> ``RobustOverwriteCells``: a deleted reflection is put back (nbgrader
  fails the whole participant, jupyter/nbgrader#1682);
* ``Execute`` -> ``GuardedExecute``: a kernel that fails to start is started again (the pool
  policy), and one that dies mid-notebook no longer loses what already ran.

nbgrader is imported inside the functions: the pre-warmed kernels fork from a process that
imports this package (see :mod:`.prewarm`), and they must not carry nbgrader.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
import time
from collections.abc import Iterable
from typing import Any

from traitlets.config import Config
from traitlets.utils.importstring import import_item

from mentor_workshop.facilitator.pool import KERNEL_DIED, POLICY, Trouble, classify, retry_start
from mentor_workshop.facilitator.warm import (
    current_sandbox,
    current_zygote,
    forking_manager_class,
)

__all__ = ["exporter", "load_class", "pipelines", "share_engines"]


def load_class(item: Any) -> Any:
    """A preprocessor or hook as the config names it: a dotted name is imported, else kept.

    Parameters
    ----------
    item
        A class, a function, or its dotted import name.

    Returns
    -------
    Any
        The object itself.
    """
    if isinstance(item, str):
        return import_item(item)
    return item


def _default(cls: type, name: str) -> list[Any]:
    return list(cls.class_traits()[name].default())


def pipelines(config: Config) -> tuple[list[Any], list[Any], list[Any]]:
    """(sanitise, execute-side, gradebook-side) preprocessor classes, as the course sets them.

    nbgrader's autograde list is split just before ``SaveAutoGrades``: what comes before it only
    reads the gradebook and runs in a worker; ``SaveAutoGrades`` and what follows (late
    penalties, the final metadata check) write the gradebook and run in the parent.

    Parameters
    ----------
    config
        The course's nbgrader config (with any command-line overrides).

    Returns
    -------
    tuple of three lists
        The sanitising preprocessors, the worker's grading preprocessors (ending with the
        kernel run) and the parent's gradebook-writing ones.
    """
    share_engines()
    # deferred: pre-warmed kernels fork from a process that imports this package
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import CheckCellMetadata, Execute, OverwriteCells, SaveAutoGrades

    section = config.get("Autograde", {})
    sanitize = [load_class(p) for p in section.get(
        "sanitize_preprocessors", _default(Autograde, "sanitize_preprocessors"))]
    grading = [load_class(p) for p in section.get(
        "autograde_preprocessors", _default(Autograde, "autograde_preprocessors"))]
    split = next(
        (i for i, p in enumerate(grading) if isinstance(p, type) and issubclass(p, SaveAutoGrades)),
        len(grading),
    )
    checked = _checked_metadata_class()
    sanitize = [_robust_overwrite_class() if p is OverwriteCells else p for p in sanitize]
    sanitize = [checked if p is CheckCellMetadata else p for p in sanitize]
    worker = [_guarded_execute_class() if p is Execute else p for p in grading[:split]]
    saving = [checked if p is CheckCellMetadata else p for p in grading[split:]]
    return sanitize, worker, saving


@functools.cache
def share_engines() -> None:
    """Let every nbgrader ``Gradebook`` of this process share one SQLAlchemy engine per URL.

    nbgrader opens a new ``Gradebook`` in each preprocessor for each notebook, and each makes
    its own engine, whose cache of compiled SQL starts empty: the profile showed more than half
    of saving a notebook's grades going on compiling the same queries again. Sharing the engine
    keeps the compiled statements; the SQL sent, the transactions and so the grades are the
    same (``Gradebook.close`` still disposes of the connections).

    Returns
    -------
    None
    """
    # deferred: see pipelines()
    import nbgrader.api
    from sqlalchemy import create_engine

    engines: dict[Any, Any] = {}

    def shared_engine(url: Any, **kwargs: Any) -> Any:
        try:
            key = (str(url), tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:
            return create_engine(url, **kwargs)
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]

    nbgrader.api.create_engine = shared_engine
    _schema_checked_once(nbgrader.api)


def _schema_checked_once(api: Any) -> None:
    """Let a ``Gradebook`` check its database's tables once per engine, not once per opening.

    Each ``Gradebook`` lists the database's tables and runs ``create_all`` (a query per table)
    before anything else; a notebook opens five. Tables are never dropped while grading, so
    after the first check of an engine that has them, the answer is known.
    """
    metadata = api.Base.metadata
    create_all = metadata.create_all
    inspect = api.inspect
    ready: dict[int, Any] = {}  # id -> engine (kept, so no other engine can reuse its id)

    def create_all_once(bind: Any = None, *args: Any, **kwargs: Any) -> Any:
        if bind is not None and id(bind) in ready:
            return None
        result = create_all(bind, *args, **kwargs)
        if bind is not None:
            ready[id(bind)] = bind
        return result

    class _Known:
        def __init__(self, names: list[str]) -> None:
            self._names = names

        def get_table_names(self) -> list[str]:
            return list(self._names)

    def inspect_once(subject: Any, *args: Any, **kwargs: Any) -> Any:
        if id(subject) in ready:
            return _Known(list(metadata.tables))
        return inspect(subject, *args, **kwargs)

    metadata.create_all = create_all_once
    api.inspect = inspect_once


def exporter(config: Config, preprocessors: Iterable[Any]) -> Any:
    """A NotebookExporter set up as nbgrader's converters set theirs up.

    Parameters
    ----------
    config
        The course's nbgrader config.
    preprocessors
        The preprocessor classes to run, in order (nothing else runs).

    Returns
    -------
    nbconvert.exporters.NotebookExporter
    """
    # deferred: pre-warmed kernels fork from a process that imports this package
    from nbconvert.exporters import NotebookExporter

    config = Config(config)
    config.Exporter.default_preprocessors = []
    # nbconvert validates the whole notebook after every preprocessor (a dozen times a pass);
    # once, after the last, finds the same invalid notebooks and changes no valid one
    config.Exporter.optimistic_validation = True
    notebook_exporter = NotebookExporter(config=config)
    notebook_exporter._preprocessors = []
    for pp in preprocessors:
        notebook_exporter.register_preprocessor(pp)
    return notebook_exporter


@functools.cache
def _checked_metadata_class() -> type:
    """nbgrader's ``CheckCellMetadata``, with the JSON schema itself checked once, not per cell.

    nbgrader validates each cell's metadata with ``jsonschema.validate``, which first checks
    the schema itself: the profile put that at a quarter of the sanitising time, for a schema
    that never changes. The same validation runs against the same schema, with the same
    version checks and the same error, so what passes and what fails does not change.
    """
    # deferred: see pipelines()
    import traceback

    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError
    from nbgrader.nbgraderformat.common import SchemaTooNewError, SchemaTooOldError
    from nbgrader.preprocessors import CheckCellMetadata

    class CachedValidator(MetadataValidator):
        def __init__(self) -> None:
            super().__init__()
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            self._mw_validator = cls(self.schema)

        def validate_cell(self, cell: Any) -> None:  # nbgrader's, minus the schema re-check
            if "nbgrader" not in cell.metadata:
                return
            version = cell.metadata["nbgrader"].get("schema_version", 0)
            if version < self.schema_version:
                raise SchemaTooOldError(
                    f"Outdated schema version: {version} (expected {self.schema_version})",
                    version, self.schema_version)
            if version > self.schema_version:
                raise SchemaTooNewError(
                    f"Schema version is too new: {version} (expected {self.schema_version})",
                    version, self.schema_version)
            error = jsonschema.exceptions.best_match(
                self._mw_validator.iter_errors(cell.metadata["nbgrader"]))
            if error is not None:
                raise error

    validator = CachedValidator()

    class CachedCheckCellMetadata(CheckCellMetadata):
        def preprocess(self, nb: Any, resources: Any) -> Any:
            try:
                validator.validate_nb(nb)
            except ValidationError:
                self.log.error(traceback.format_exc())
                msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
                self.log.error(msg)
                raise ValidationError(msg) from None
            return nb, resources

    return CachedCheckCellMetadata


@functools.cache
def _robust_overwrite_class() -> type:
    """nbgrader's ``OverwriteCells``, plus: a deleted cell is put back even where nbgrader fails.

    nbgrader puts a deleted grade cell back after the source cell before it, but only finds
    that neighbour if it is a graded or answer cell; in the kit every reflection follows a
    locked prompt cell, so deleting a reflection made nbgrader fail the whole participant
    (KeyError, jupyter/nbgrader#1682). nbgrader's own method runs first, so wherever it works
    the notebook is exactly what nbgrader makes; only where it fails do we place the cell after
    the nearest earlier source cell still present.
    """
    from nbgrader.preprocessors import OverwriteCells  # deferred: see pipelines()

    class RobustOverwriteCells(OverwriteCells):
        def add_missing_grade_cells(self, nb: Any, resources: Any) -> Any:
            snapshot = copy.deepcopy(nb)
            try:
                return super().add_missing_grade_cells(nb, resources)
            except (KeyError, ValueError, IndexError):
                resources.setdefault("mentor_workshop", {})["replaced_cells"] = True
                return self._put_back(snapshot, resources)

        def _put_back(self, nb: Any, resources: Any) -> Any:
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            source_cells = list(source_nb.source_cells)
            order = [cell.name for cell in source_cells]
            graded = {cell.name: cell for cell in source_nb.grade_cells}
            solutions = {cell.name for cell in source_nb.solution_cells}
            for position, name in enumerate(order):
                if name not in graded:
                    continue
                present = {
                    cell.metadata["nbgrader"]["grade_id"]: index
                    for index, cell in enumerate(nb.cells)
                    if cell.metadata.get("nbgrader", {}).get("grade_id")
                }
                if name in present:
                    continue
                self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
                cell = self.missing_cell_transform(source_cells[position], graded[name].max_score,
                                                   is_solution=name in solutions)
                where = next((present[prev] + 1 for prev in reversed(order[:position])
                              if prev in present), 0)
                nb.cells.insert(where, cell)
            return nb, resources

    return RobustOverwriteCells


_OUTPUT_MESSAGES = frozenset({"stream", "display_data", "execute_result", "error",
                              "update_display_data"})


def _size(content: Any) -> int:
    """Roughly the bytes of one output message (its text and data), cheaply."""
    total = len(str(content.get("text", "")))
    for value in (content.get("data") or {}).values():
        total += len(value) if isinstance(value, str) else len(str(value))
    total += sum(len(str(line)) for line in content.get("traceback") or ())
    return total


@functools.cache
def _guarded_execute_class() -> type:
    """nbgrader's ``Execute``, plus: a kernel that dies no longer loses the whole notebook.

    A kernel that fails before its first cell is started again as the pool policy says (a busy
    machine is not the participant's doing); one that dies later leaves what ran graded, and
    every test cell after it shows :data:`~mentor_workshop.facilitator.pool.KERNEL_DIED` and
    scores 0.
    """
    # deferred: see pipelines()
    from nbclient.exceptions import DeadKernelError
    from nbformat import NotebookNode
    from nbgrader import utils
    from nbgrader.preprocessors import Execute

    class GuardedExecute(Execute):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if current_zygote() is not None or current_sandbox() is not None:
                kwargs["kernel_manager_class"] = forking_manager_class()
            super().__init__(*args, **kwargs)
            if "shutdown_kernel" not in self.config.get("Execute", {}):
                # the kernel is thrown away: waiting for it to tidy up changes no output
                self.shutdown_kernel = "immediate"

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            self._mw_bytes = 0
            self._mw_stopped: str | None = None
            limit = POLICY.graded_notebook_timeout
            timer = threading.Timer(limit, self._mw_stop, args=(
                "time", f"it ran longer than {limit:g} s (the notebook's time limit)"))
            timer.daemon = True
            timer.start()
            try:
                return self._mw_preprocess(nb, resources, km)
            finally:
                timer.cancel()

        def _mw_stop(self, kind: str, why: str) -> None:
            """Stop the kernel at a limit: the notebook is graded as far as it ran."""
            if self._mw_stopped is None:
                self._mw_stopped = why
                self._mw_limit = kind
            process = getattr(getattr(getattr(self, "km", None), "provisioner", None),
                              "process", None)
            if process is not None:
                with contextlib.suppress(Exception):
                    process.kill()

        def process_message(self, msg: Any, cell: Any, cell_index: int) -> Any:
            if msg.get("msg_type") in _OUTPUT_MESSAGES:
                self._mw_bytes += _size(msg.get("content", {}))
                if self._mw_bytes > POLICY.output_bytes:
                    if self._mw_stopped is None:
                        self._mw_stop("output", f"it sent more than "
                                      f"{POLICY.output_bytes // 2**20} MiB of output")
                    return None
            return super().process_message(msg, cell, cell_index)

        def _mw_preprocess(self, nb: Any, resources: Any, km: Any) -> Any:
            self._mw_clock = [time.perf_counter(), 0.0]  # start, first cell (the profile's split)
            try:
                return self._mw_attempts(nb, resources, km)
            finally:
                start, first = self._mw_clock
                end = time.perf_counter()
                first = first or end
                resources.setdefault("mentor_workshop", {})["timings"] = {
                    "kernel_start": first - start, "execution": end - first}

        def _mw_attempts(self, nb: Any, resources: Any, km: Any) -> Any:
            pristine = copy.deepcopy(nb)

            def run(attempt: int) -> tuple[tuple[Any, BaseException | None], bool]:
                # nbclient executes in place: a new attempt starts from the untouched notebook
                notebook = nb if attempt == 1 else copy.deepcopy(pristine)
                self._mw_last = -1
                self._mw_started = False
                try:
                    done = super(GuardedExecute, self).preprocess(notebook, resources, km)
                except (DeadKernelError, RuntimeError, TimeoutError) as exc:
                    if self._mw_stopped is not None:  # stopped at a limit: never again
                        return (notebook, exc), False
                    trouble = classify(exc, started=self._mw_started)
                    return (notebook, exc), trouble is Trouble.START_FAILURE
                return (done, None), False

            (result, error), _ = retry_start(run)
            if error is None:
                return result
            return self._mw_crashed(result, resources, error)

        def _mw_crashed(self, nb: Any, resources: Any, exc: BaseException) -> Any:
            # nbclient executes ``nb`` in place: the cells before the crash keep their output
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if self._mw_stopped is not None:
                reason = f"stopped because {self._mw_stopped}"
                resources.setdefault("mentor_workshop", {})["limit"] = self._mw_limit
            for index, cell in enumerate(nb.cells):
                if index <= self._mw_last or cell.cell_type != "code":
                    continue
                first = index == self._mw_last + 1
                if first or (utils.is_grade(cell) and not utils.is_solution(cell)):
                    where = "while running this cell" if first else "before this cell ran"
                    error = NotebookNode(
                        output_type="error", ename=KERNEL_DIED,
                        evalue=f"the kernel stopped {where}",
                        traceback=[f"{KERNEL_DIED}: {reason}"],
                    )
                    cell.outputs = [*cell.get("outputs", []), error]
            resources.setdefault("mentor_workshop", {})["crashed"] = reason
            return nb, resources

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            if not self._mw_started:
                self._mw_clock[1] = time.perf_counter()
            self._mw_started = True
            result = super().preprocess_cell(cell, resources, index)
            self._mw_last = index
            return result

    return GuardedExecute
