"""Reconcile rules on real static facts (inline source) and store-shaped runtime facts."""

from __future__ import annotations

from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import analyze_source
from tracehybrid.store.reader import CandidateFacts, Effect
from tracehybrid.verdict import Proposal, reconcile

ROOT = Path("/project")
CONFIG = Config(root=ROOT)

SOURCE = """
import tensorflow as tf

def clean(x):
    return tf.reduce_sum(x * 2.0 + 1.0)

def noisy(x):
    print("value", x)
    return tf.reduce_sum(x)

def dynamic(x, log):
    log(x)
    return tf.reduce_sum(x)

@tf.function
def no_inputs():
    return tf.range(10)

@tf.function(jit_compile=True)
def blur(x):
    return tf.nn.avg_pool2d(x, 3, 1, "SAME")

@tf.function
def flatten(x):
    return tf.reshape(x, [x.shape[0] * x.shape[1]])

@tf.function
def hostile(x):
    print("traced", x)
    return x + 1

def describe(n):
    return f"{n} items"

def table():
    return tf.reduce_sum(tf.range(10) * 2)
"""


def _facts() -> dict[str, object]:
    project = analyze_source(SOURCE, path="mod.py", module="mod")
    return {fn.qualname: fn for fn in project.functions}


def runtime(
    qualname: str,
    line: int,
    *,
    calls: dict[str, int] | None = None,
    tests: dict[str, str | None] | None = None,
    signatures: list[str] | None = None,
    effects: list[Effect] | None = None,
    plain: int | None = 1,
    relaxed: int | None = 1,
    untraceable: str | None = None,
    per_cache: int | None = None,
    signature_source: str | None = None,
) -> CandidateFacts:
    """Runtime facts exactly as `store.reader.read_facts` returns them."""
    prediction: dict[str, object] = {
        "source": "p1",
        "plain": plain,
        "reduce_retracing": relaxed,
        "signature": None if signature_source is None else 1,
        "untraceable": untraceable,
        "explanations": ["x: float32[8] (was float32[4])"] if (plain or 0) > 1 else [],
        "detail": {"per_cache_plain": per_cache, "signature_source": signature_source},
    }
    return CandidateFacts(
        path=str(ROOT / "mod.py"),
        qualname=qualname,
        line=line,
        first_line=line,
        kind="eager",
        calls={"eager": 3} if calls is None else calls,
        tests={"tests/test_mod.py::test_it": "passed"} if tests is None else tests,
        signatures=["x: tensor float32[3]"] if signatures is None else signatures,
        effects=effects or [],
        predictions=[prediction],
    )


def propose(qualname: str, **kwargs: object) -> Proposal:
    facts = _facts()
    fn = facts[qualname]
    fact = runtime(qualname, fn.first_line, **kwargs)  # type: ignore[arg-type]
    (proposal,) = [
        p
        for p in reconcile(
            list(facts.values()), {(fact.path, qualname, fn.first_line): fact}, CONFIG
        )
        if p.fn.qualname == qualname
    ]
    return proposal


def codes_of(proposal: Proposal) -> list[str]:
    return [r.code for r in proposal.reasons]


def test_clean_function_goes_to_the_proof_as_a_plain_conversion() -> None:
    proposal = propose("clean")
    assert proposal.to_prove
    assert (proposal.refactoring, proposal.decorator) == ("convert_to_hybrid", "@tf.function")
    assert proposal.applicability == "safe"
    assert proposal.reasons == []


def test_static_effect_confirmed_at_run_time_is_both() -> None:
    effect = Effect("print", "side_effect", str(ROOT / "mod.py"), 8, "print", 3, ["t::a"])
    proposal = propose("noisy", effects=[effect])
    assert not proposal.to_prove
    (reason,) = [r for r in proposal.reasons if r.code == "TH101"]
    assert (reason.evidence, reason.location, reason.category) == (
        "both",
        "mod.py:8",
        "side_effect",
    )


def test_runtime_only_effect_is_a_disagreement() -> None:
    effect = Effect("print", "side_effect", str(ROOT / "other.py"), 4, "print", 1, ["t::a"])
    proposal = propose("dynamic", effects=[effect])
    assert not proposal.to_prove
    assert codes_of(proposal)[:2] == ["TH101", "TH220"]
    assert proposal.reasons[0].evidence == "runtime"
    assert "t::a" in proposal.reasons[0].message


def test_never_called_is_not_exercised() -> None:
    proposal = propose("clean", calls={}, tests={}, signatures=[])
    assert codes_of(proposal) == ["TH210"]
    assert proposal.reasons[0].message.startswith("No test called it")


def test_called_only_by_failing_tests_is_not_exercised() -> None:
    proposal = propose("clean", tests={"tests/test_mod.py::test_it": "failed"})
    assert codes_of(proposal) == ["TH210"]


def test_called_only_outside_tests_says_so() -> None:
    proposal = propose("clean", calls={"eager": 5}, tests={})
    assert codes_of(proposal) == ["TH210"]
    assert "all outside tests" in proposal.reasons[0].message


def test_called_only_inside_a_graph_is_unknown_not_uncalled() -> None:
    proposal = propose("clean", calls={"autograph": 2}, tests={"t::a": "passed"})
    assert codes_of(proposal) == ["TH211"]


def test_tensor_parameter_but_only_python_values_seen_is_a_disagreement() -> None:
    # Python scalars alone no longer disagree (issue 15.4, tests/unit/test_python_valued.py):
    # a function of Python scalars is judged by its traces; a Python list still disagrees.
    proposal = propose("clean", signatures=["x: list[int=3, int=4]"])
    assert not proposal.to_prove
    assert codes_of(proposal) == ["TH220", "TH191"]
    assert {r.evidence for r in proposal.reasons} == {"both", "runtime"}


def test_retracing_fixed_by_reduce_retracing_converts_with_it() -> None:
    proposal = propose("clean", plain=6, relaxed=2)
    assert proposal.to_prove
    assert proposal.decorator == "@tf.function(reduce_retracing=True)"
    (fix,) = proposal.fixes
    assert fix.code == "TH201"
    assert "x: float32[8] (was float32[4])" in fix.message


def test_retracing_on_python_values_blocks() -> None:
    proposal = propose("clean", plain=6, relaxed=6)
    assert not proposal.to_prove
    assert codes_of(proposal) == ["TH201"]


def test_untraceable_and_keras_symbolic_arguments_block() -> None:
    proposal = propose(
        "clean",
        untraceable="cfg: unhashable dataclass Cfg",
        signatures=["x: tensor float32[3]", "x: keras-symbolic float32[None,3]"],
    )
    assert set(codes_of(proposal)) == {"TH202", "TH203"}


def test_lazy_variable_creation_is_not_a_blocker() -> None:
    once = Effect("variable_creation", "variable_creation", str(ROOT / "mod.py"), 5, "V", 1, [])
    assert propose("clean", calls={"eager": 4}, effects=[once]).to_prove
    every = Effect("variable_creation", "variable_creation", str(ROOT / "mod.py"), 5, "V", 4, [])
    assert "TH151" in codes_of(propose("clean", calls={"eager": 4}, effects=[every]))


ONCE_SOURCE = """
import tensorflow as tf
import sonnet as snt

class Dense(snt.Module):
    @snt.once
    def _initialize(self, x):
        self.w = tf.Variable(tf.ones([x.shape[-1], 2]))

    def __call__(self, x):
        self._initialize(x)
        return tf.matmul(x, self.w)
"""


SONNET_DENSE = ("Dense._initialize", "Dense.__call__")


def test_variables_created_as_set_up_are_no_disagreement() -> None:
    # Each instance is called once, so the run sees a creation on every call of `__call__`; but
    # the creation is in a `@once` method, which static analysis knows runs once per instance.
    functions = analyze_source(ONCE_SOURCE, "mod.py", "mod").functions
    init, call = (next(f for f in functions if f.qualname == q) for q in SONNET_DENSE)
    assert init.setup_lines == [8]

    def proposal_with(effect_line: int) -> Proposal:
        where = str(ROOT / "mod.py")
        created = Effect("variable_creation", "variable_creation", where, effect_line, "V", 3, [])
        fact = runtime(call.qualname, call.first_line, effects=[created])
        facts = {(fact.path, call.qualname, call.first_line): fact}
        return next(p for p in reconcile(functions, facts, CONFIG) if p.fn is call)

    assert proposal_with(8).to_prove
    assert "TH151" in codes_of(proposal_with(12))  # not a set-up line: created on every call


def test_hybrid_computing_without_inputs_stays_a_graph() -> None:
    """It traces once, as its conversion would (eager_proposal converts such a function): going
    back to eager on TH191 alone would be undone by the next run."""
    proposal = propose("no_inputs", signatures=[""])
    assert proposal.refactoring is None and not proposal.to_prove
    assert codes_of(proposal) == ["TH230"]


def test_hybrid_retracing_on_shapes_keeps_its_arguments() -> None:
    proposal = propose("blur", plain=6, relaxed=2)
    assert proposal.refactoring == "optimize_hybrid"
    assert proposal.decorator == "@tf.function(jit_compile=True, reduce_retracing=True)"
    assert proposal.applicability == "safe"


def test_hybrid_retracing_that_nothing_fixes_is_dehybridized() -> None:
    proposal = propose("blur", plain=6, relaxed=6)
    assert proposal.refactoring == "dehybridize"
    assert codes_of(proposal) == ["TH201"]


def test_graph_hostile_hybrid_is_dehybridized_unsafely() -> None:
    proposal = propose("hostile")
    assert (proposal.refactoring, proposal.applicability) == ("dehybridize", "unsafe")
    assert "TH101" in codes_of(proposal)


def test_healthy_hybrid_needs_nothing() -> None:
    proposal = propose("blur")
    assert proposal.refactoring is None
    assert not proposal.to_prove
    assert codes_of(proposal) == ["TH230"]  # every candidate's verdict has its reason


def test_hybrid_already_relaxed_is_not_proposed_again() -> None:
    source = SOURCE.replace("@tf.function(jit_compile=True)", "@tf.function(reduce_retracing=True)")
    facts = {fn.qualname: fn for fn in analyze_source(source, path="mod.py").functions}
    fn = facts["blur"]
    fact = runtime("blur", fn.first_line, plain=6, relaxed=2)
    (proposal,) = [
        p
        for p in reconcile([fn], {(fact.path, "blur", fn.first_line): fact}, CONFIG)
        if p.fn.qualname == "blur"
    ]
    assert proposal.refactoring is None
    assert codes_of(proposal) == ["TH230"]
    assert "2 traces" in proposal.reasons[0].message


def test_non_candidates_get_no_proposal() -> None:
    facts = _facts()
    names = {p.fn.qualname for p in reconcile(list(facts.values()), {}, CONFIG)}
    assert "describe" not in names
    assert "clean" in names


def test_a_method_traced_once_per_instance_is_not_retracing() -> None:
    # Five models, one trace each: five traces in all, but no cache ever retraced.
    assert propose("clean", plain=5, relaxed=5, per_cache=1).to_prove
    assert codes_of(propose("clean", plain=5, relaxed=5, per_cache=5)) == ["TH201"]


SPEC = "[tf.TensorSpec(shape=[None, None], dtype=tf.float32)]"


def test_signature_proposed_for_a_hybrid_that_nothing_else_fixes() -> None:
    proposal = propose("blur", plain=6, relaxed=6, signature_source=SPEC)
    # blur's relaxed count does not help; but a signature traces once: optimize with it.
    assert proposal.refactoring == "optimize_hybrid"
    assert "input_signature=[tf.TensorSpec(shape=[None, None]" in (proposal.decorator or "")
    assert proposal.applicability == "unsafe"


def test_signature_withheld_when_the_body_reads_an_axis_statically() -> None:
    proposal = propose("flatten", plain=6, relaxed=6, signature_source=SPEC)
    assert proposal.refactoring == "dehybridize"
    assert codes_of(proposal) == ["TH201"]


def test_no_argument_means_one_trace_so_the_measurement_decides() -> None:
    proposal = propose("table", signatures=[""])
    assert proposal.to_prove
    assert proposal.reasons == []
