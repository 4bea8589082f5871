"""The leveling heuristics: priority rules, sampling and a genetic algorithm with justification.

1. Priority rules (Kolisch, 1996; Kolisch & Hartmann, 1999): LFT, LST, MINSLK, GRPW, EST,
   SPT on the critical-path dates, each ranked after the project and task priorities, decoded
   by the serial and the parallel schedule-generation schemes.
2. Sampling: the same rules with randomly perturbed ranks (a random-key form of biased random
   sampling), which also seeds the population.
3. A genetic algorithm on activity lists (Hartmann, 1998): two-point crossover that keeps
   lists precedence feasible, adjacent-swap mutation, serial decoding, elitist replacement
   and restarts around the best list when the search stalls.
4. Every schedule decoded is improved by forward-backward improvement, the double
   justification of Valls, Ballestin & Quintanilla (2005): right-justify by the serial scheme
   backwards in time, then left-justify, keeping the result when it is not worse; the improved
   list replaces the decoded one (Lamarckian learning).

Every pass of a schedule-generation scheme counts one schedule, as in Kolisch & Hartmann's
comparisons. Random numbers come from one ``numpy.random.Generator`` made from the seed, in a
fixed order, so that a run limited by its schedule budget is deterministic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from pilotage.engine.errors import HorizonTooShortError
from pilotage.engine.leveling import kernels
from pilotage.engine.leveling.compiled import CompiledProblem
from pilotage.engine.leveling.problem import FloatArray, IntArray, LevelingOptions

__all__ = ["Candidate", "Search", "critical_path_dates"]

RULES = ("lft", "lst", "minslk", "grpw", "est", "spt")
_SAMPLE_CHUNK = 8  # samples decoded together between two looks at the budget
_GIVE_UP = 8  # restarts without a better schedule before CP-SAT takes over


@dataclass
class Candidate:
    """A schedule with its quality ``(overallocated tasks, makespan, sum of finishes)``."""

    score: tuple[int, int, int]
    start: IntArray
    finish: IntArray
    earliest: IntArray
    order: IntArray
    method: str


@dataclass
class CriticalPathDates:
    """Dates without resources: earliest start/finish, latest start/finish."""

    earliest_start: IntArray
    earliest_finish: IntArray
    latest_start: IntArray
    latest_finish: IntArray
    makespan: int


def _raise_horizon(cp: CompiledProblem, task: int) -> None:
    raise HorizonTooShortError(
        f"{cp.problem.task_label(task)} does not fit in the horizon of {cp.h} periods; "
        "give more periods (capacity and working columns)",
        task=task,
    )


def critical_path_dates(cp: CompiledProblem) -> CriticalPathDates:
    """Critical-path dates of the compiled problem (resources ignored, fixed tasks kept)."""
    n, h = cp.n, cp.h
    fwd = cp.forward
    order = kernels.topological_order(
        np.arange(n, dtype=np.float64), fwd.pred_ptr, fwd.succ_ptr, fwd.succ_task
    )
    no_deadline = np.full(n, -1, dtype=np.int64)
    es, ef, _, _, failed = kernels.serial_sgs(
        order, *cp.task_arrays(), *fwd.arrays(), cp.release, no_deadline, True
    )
    if failed >= 0:
        _raise_horizon(cp, failed)
    makespan = int(ef.max()) if n else 0
    bwd = cp.backward
    order = kernels.topological_order(
        np.arange(n, dtype=np.float64), bwd.pred_ptr, bwd.succ_ptr, bwd.succ_task
    )
    back_release = np.full(n, h - makespan, dtype=np.int64)
    bs, bf, _, _, failed = kernels.serial_sgs(
        order, *cp.task_arrays(), *bwd.arrays(), back_release, no_deadline, True
    )
    if failed >= 0:
        ls, lf = es.copy(), ef.copy()
    else:
        ls, lf = h - bf, h - bs
    return CriticalPathDates(es, ef, ls, lf, makespan)


def _ranks(values: FloatArray, priority_class: IntArray) -> FloatArray:
    """Rank of each task by (priority class, value, index): 0 goes first."""
    n = values.shape[0]
    order = np.lexsort((np.arange(n), values, priority_class))
    rank = np.empty(n, dtype=np.float64)
    rank[order] = np.arange(n, dtype=np.float64)
    return rank


@dataclass
class Search:
    """One run of the heuristics on a compiled problem, within a budget."""

    cp: CompiledProblem
    options: LevelingOptions
    budget: int
    stop_at: float
    dates: CriticalPathDates
    lower_bound: int = 0
    rng: np.random.Generator = field(init=False)
    schedules: int = 0
    best: Candidate | None = None
    time_limit_reached: bool = False
    methods: dict[str, int] = field(default_factory=dict)

    @property
    def population(self) -> int:
        """The population of the genetic algorithm (larger in the optimisation mode)."""
        if self.options.population is not None:
            return self.options.population
        return 120 if self.options.mode == "optimise" else 80

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.options.seed)
        self._improve = 4 if self.options.improvement else 0

    # -- bookkeeping -------------------------------------------------------------------------

    def out_of_budget(self) -> bool:
        """Whether the schedule budget or the time limit is used up."""
        if self.schedules >= self.budget:
            return True
        best = self.best
        if best is not None and best.score[0] == 0 and best.score[1] <= self.lower_bound:
            return True
        if time.perf_counter() >= self.stop_at:
            self.time_limit_reached = True
            return True
        return False

    def _consider(
        self,
        metrics: IntArray,
        start: IntArray,
        finish: IntArray,
        earliest: IntArray,
        order: IntArray,
        method: str,
    ) -> None:
        if metrics[0]:
            return
        score = (int(metrics[1]), int(metrics[2]), int(metrics[3]))
        previous = self.methods.get(method)
        if previous is None or score[1] < previous:
            self.methods[method] = score[1]
        if self.best is None or score < self.best.score:
            self.best = Candidate(
                score, start.copy(), finish.copy(), earliest.copy(), order.copy(), method
            )

    def decode_full(self, orders: IntArray, method: str) -> tuple[IntArray, IntArray, IntArray]:
        """Like :meth:`decode`, with the start vectors too."""
        cp = self.cp
        out, starts, finishes, earliests, metrics, count = kernels.evaluate(
            np.ascontiguousarray(orders, dtype=np.int64),
            self._improve,
            cp.priority_class,
            cp.has_priorities,
            *cp.task_arrays(),
            cp.forward.arrays(),
            cp.backward.arrays(),
            cp.release,
            cp.latest_finish,
        )
        self.schedules += int(count)
        if (metrics[:, 0] == 1).all():
            self._fail_horizon(orders[0])
        for p in range(out.shape[0]):
            self._consider(metrics[p], starts[p], finishes[p], earliests[p], out[p], method)
        return out, metrics, starts

    def decode(self, orders: IntArray, method: str) -> tuple[IntArray, IntArray]:
        """Decode activity lists (serial scheme + improvement); returns (orders, metrics)."""
        out, metrics, _ = self.decode_full(orders, method)
        return out, metrics

    def _fail_horizon(self, order: IntArray) -> None:
        cp = self.cp
        _, _, _, _, failed = kernels.serial_sgs(
            order, *cp.task_arrays(), *cp.forward.arrays(), cp.release, cp.latest_finish, False
        )
        _raise_horizon(cp, max(failed, 0))

    def parallel(self, rank: FloatArray, method: str) -> IntArray | None:
        """Decode a ranking by the parallel scheme; returns the schedule's activity list."""
        cp = self.cp
        start, finish, earliest, over, failed = kernels.parallel_sgs(
            np.ascontiguousarray(rank, dtype=np.int64),
            *cp.task_arrays(),
            *cp.forward.arrays(),
            cp.release,
            cp.latest_finish,
            cp.next_change,
        )
        self.schedules += 1
        if failed >= 0:
            return None
        metrics = np.array([0, over.sum(), finish.max(initial=0), finish.sum()], dtype=np.int64)
        order = self.list_of(start, finish)
        self._consider(metrics, start, finish, earliest, order, method)
        return order

    def list_of(self, start: IntArray, finish: IntArray) -> IntArray:
        """The activity list of a schedule: tasks by start (then finish), links respected."""
        fwd = self.cp.forward
        key = start.astype(np.float64) * (self.cp.h + 2.0) + finish
        result: IntArray = kernels.topological_order(key, fwd.pred_ptr, fwd.succ_ptr, fwd.succ_task)
        return result

    def serial_order(self, rank: FloatArray) -> IntArray:
        """The activity list that follows ``rank`` among the tasks whose predecessors are in."""
        fwd = self.cp.forward
        result: IntArray = kernels.topological_order(
            np.ascontiguousarray(rank, dtype=np.float64), fwd.pred_ptr, fwd.succ_ptr, fwd.succ_task
        )
        return result

    # -- the phases ------------------------------------------------------------------------

    def rule_values(self, rule: str) -> FloatArray:
        """The value of a priority rule for each task (smaller goes first)."""
        d = self.dates
        cp = self.cp
        if rule == "lft":
            return d.latest_finish.astype(np.float64)
        if rule == "lst":
            return d.latest_start.astype(np.float64)
        if rule == "minslk":
            return (d.latest_start - d.earliest_start).astype(np.float64)
        if rule == "est":
            return d.earliest_start.astype(np.float64)
        if rule == "spt":
            return cp.durations.astype(np.float64)
        if rule == "grpw":
            fwd = cp.forward
            following = (
                np.add.reduceat(np.append(cp.durations[fwd.succ_task], 0), fwd.succ_ptr[:-1])
                if fwd.succ_task.size
                else np.zeros(cp.n)
            )
            following = np.where(np.diff(fwd.succ_ptr) > 0, following, 0)
            return -(cp.durations + following).astype(np.float64)
        raise ValueError(f"Unknown priority rule {rule!r}; use one of {', '.join(RULES)}")

    def run_rules(self) -> list[IntArray]:
        """One pass of each rule with each scheme; returns their activity lists."""
        lists: list[IntArray] = []
        for rule in self.options.rules:
            if self.best is not None and self.out_of_budget():
                break
            rank = _ranks(self.rule_values(rule), self.cp.priority_class)
            if "serial" in self.options.schemes:
                order = self.serial_order(rank)
                out, _ = self.decode(order[None, :], f"serial SGS, {rule.upper()}")
                lists.append(out[0])
            if "parallel" in self.options.schemes:
                order_or_none = self.parallel(rank, f"parallel SGS, {rule.upper()}")
                if order_or_none is not None:
                    out, _ = self.decode(order_or_none[None, :], f"parallel SGS, {rule.upper()}")
                    lists.append(out[0])
        return lists

    def sample(self, count: int) -> list[IntArray]:
        """Random-key sampling around the rules; returns the activity lists found."""
        cp = self.cp
        n = max(cp.n, 1)
        rules = self.options.rules or ("lft",)
        lists: list[IntArray] = []
        base = [_ranks(self.rule_values(rule), cp.priority_class) / n for rule in rules]
        noise = self.rng.uniform(0.05, 0.6, size=count)
        decoded: list[IntArray] = []
        for k in range(count):
            if k % _SAMPLE_CHUNK == 0 and k and self.out_of_budget():
                break
            rank = base[k % len(base)] + self.rng.uniform(0.0, noise[k], size=cp.n)
            rank = _ranks(rank, cp.priority_class)
            use_parallel = "parallel" in self.options.schemes and (
                k % 2 == 1 or "serial" not in self.options.schemes
            )
            if use_parallel:
                order = self.parallel(rank, "sampling, parallel SGS")
                if order is not None:
                    lists.append(order)
            else:
                lists.append(self.serial_order(rank))
            if len(lists) == _SAMPLE_CHUNK or k == count - 1:
                if lists:
                    out, _ = self.decode(np.stack(lists), "sampling")
                    decoded.extend(out)
                lists = []
        if lists:
            out, _ = self.decode(np.stack(lists), "sampling")
            decoded.extend(out)
        return decoded

    def genetic(self, population: list[IntArray]) -> None:
        """The genetic algorithm until the budget or the time limit is used up."""
        cp = self.cp
        n = cp.n
        size = max(4, self.population)
        rng = self.rng
        pool, metrics, starts = self.decode_full(np.stack(population), "genetic algorithm")
        scores = metrics.astype(np.float64)
        weights = rng.random(n)
        signatures = starts @ weights
        stall = 0
        restarts_without_gain = 0
        stall_since_restart = False
        best_score = self.best.score if self.best else None
        mutation = 0.05
        while not self.out_of_budget():
            children = size
            mother = self._tournament(scores, children)
            father = self._tournament(scores, children)
            cut_one = rng.integers(0, n + 1, size=children)
            cut_two = rng.integers(0, n + 1, size=children)
            cut_one, cut_two = np.minimum(cut_one, cut_two), np.maximum(cut_one, cut_two)
            mutate = rng.random((children, n)) < mutation
            kids = kernels.breed(
                pool,
                mother,
                father,
                cut_one,
                cut_two,
                mutate,
                cp.forward.succ_ptr,
                cp.forward.succ_task,
            )
            kids, kid_metrics, kid_starts = self.decode_full(kids, "genetic algorithm")
            pool = np.concatenate([pool, kids])
            all_scores = np.concatenate([scores, kid_metrics.astype(np.float64)])
            all_signatures = np.concatenate([signatures, kid_starts @ weights])
            pool, scores, signatures = self._select(pool, all_scores, all_signatures, size)
            current = self.best.score if self.best else None
            if current is not None and (best_score is None or current < best_score):
                best_score = current
                stall = 0
            else:
                stall += 1
            if stall >= 30 and self.best is not None:
                restarts_without_gain = restarts_without_gain + 1 if stall_since_restart else 1
                if self.options.mode == "optimise" and restarts_without_gain > _GIVE_UP:
                    return
                pool, scores, signatures = self._restart(pool, scores, signatures, size, weights)
                stall = 0
                stall_since_restart = True
            elif stall == 0:
                stall_since_restart = False

    def _tournament(self, scores: FloatArray, count: int) -> IntArray:
        size = scores.shape[0]
        a = self.rng.integers(0, size, size=count)
        b = self.rng.integers(0, size, size=count)
        key = _score_key(scores)
        result: IntArray = np.where(key[a] <= key[b], a, b).astype(np.int64)
        return result

    def _select(
        self, pool: IntArray, scores: FloatArray, signatures: FloatArray, size: int
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """The best ``size`` lists, one per distinct schedule (then duplicates if short)."""
        key = _score_key(scores)
        order = np.argsort(key, kind="stable")
        _, first = np.unique(signatures[order], return_index=True)
        distinct = order[np.sort(first)]
        if distinct.size < size:
            rest = np.setdiff1d(order, distinct, assume_unique=True)
            rest = rest[np.argsort(key[rest], kind="stable")]
            distinct = np.concatenate([distinct, rest[: size - distinct.size]])
        index = distinct[:size]
        return pool[index], scores[index], signatures[index]

    def _restart(
        self,
        pool: IntArray,
        scores: FloatArray,
        signatures: FloatArray,
        size: int,
        weights: FloatArray,
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Keep the best lists, replace the others with perturbed copies of the best schedule."""
        assert self.best is not None
        keep = max(2, size // 5)
        cp = self.cp
        best_start = self.best.start.astype(np.float64)
        span = max(float(self.best.score[1]), 1.0)
        lists = []
        for _ in range(size - keep):
            width = self.rng.uniform(0.02, 0.3) * span
            rank = _ranks(best_start + self.rng.uniform(0.0, width, size=cp.n), cp.priority_class)
            lists.append(self.serial_order(rank))
        fresh, metrics, starts = self.decode_full(np.stack(lists), "genetic algorithm")
        return (
            np.concatenate([pool[:keep], fresh]),
            np.concatenate([scores[:keep], metrics.astype(np.float64)]),
            np.concatenate([signatures[:keep], starts @ weights]),
        )


def _score_key(scores: FloatArray) -> FloatArray:
    """One sortable number per (failed, overallocated, makespan, sum of finishes) row.

    The sum of finishes only counts for a tenth of a period of makespan, so that the
    population keeps schedules of equal makespan that are not the most compact: ranking
    them strictly by compactness makes the population converge too early.
    """
    failed, over, makespan, total = scores.T
    scale = float(total.max(initial=0.0)) + 1.0
    result: FloatArray = (failed * 1e6 + over) * 1e6 + makespan + 0.1 * total / scale
    return result


def run_construction(search: Search) -> list[IntArray]:
    """Priority rules, then sampling; returns the activity lists found."""
    lists = search.run_rules()
    if search.out_of_budget():
        return lists
    samples = max(search.population - len(lists), 0)
    if samples:
        lists.extend(search.sample(samples))
    return lists


def run_improvement(search: Search, lists: list[IntArray]) -> None:
    """The genetic algorithm (or more sampling without it) until the budget is used."""
    if search.options.genetic and lists:
        if not search.out_of_budget():
            search.genetic(lists)
        return
    while not search.out_of_budget():
        search.sample(max(search.population, 8))


def run_search(search: Search) -> None:
    """Priority rules, sampling, then the genetic algorithm, within the budget."""
    run_improvement(search, run_construction(search))
