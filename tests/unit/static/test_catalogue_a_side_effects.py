"""Catalogue A (seed-tool.md §2.2): Python side effects, also where the seed tool is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tracehybrid.config import Config
from tracehybrid.static import FunctionFacts, ProjectFacts, analyze_project, analyze_source

EFFECT_CODES = {"TH101", "TH102", "TH103", "TH104", "TH111", "TH112", "TH121", "TH122", "TH123"}


def facts(source: str) -> ProjectFacts:
    return analyze_source(textwrap.dedent(source))


def fn(source: str, qualname: str) -> FunctionFacts:
    return facts(source).function(qualname)


def effects(function: FunctionFacts) -> set[str]:
    return function.codes & EFFECT_CODES


def test_a01_print_is_a_side_effect_and_ints_are_no_tensor_parameter() -> None:
    f = fn(
        """
        import tensorflow as tf
        def f(x):
            print(x)
            tf.print(x)
        f(1)
        f(2)
        """,
        "f",
    )
    assert "TH101" in f.codes
    assert f.has_tensor_param.value == "no"
    assert "TH191" in f.codes


def test_a02_tf_print_alone_is_no_python_side_effect() -> None:
    f = fn("import tensorflow as tf\ndef f(x):\n    tf.print(x)\nf(1)\n", "f")
    assert effects(f) == set()
    assert f.tensor_computation.is_yes


def test_a03_printing_a_local_alias_is_still_a_side_effect() -> None:
    f = fn("def f(x):\n    y = x\n    print(y)\n", "f")
    assert "TH101" in f.codes


def test_a04_rebinding_the_own_parameter_is_no_side_effect() -> None:
    f = fn("def f(x):\n    x = 5\n", "f")
    assert effects(f) == set()


def test_a05_writing_into_a_module_level_list_is_a_side_effect() -> None:
    f = fn("lst = [0]\ndef f():\n    lst[0] = 1\nf()\nf()\n", "f")
    assert "TH123" in f.codes
    assert f.write_lines == [3]


def test_a06_a_callee_writing_a_global_list_makes_both_effectful() -> None:
    project = facts(
        """
        lst = []
        def g(x):
            lst.append(x)
        def f(x):
            g(x)
        """
    )
    assert "TH123" in project.function("g").codes
    finding = next(x for x in project.function("f").findings if x.code == "TH123")
    assert finding.via == "g"
    assert finding.line == 6


def test_a06_a_callee_in_another_module_makes_the_caller_effectful(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("lst = []\ndef g(x):\n    lst.append(x)\n")
    (tmp_path / "a.py").write_text("from b import g\ndef f(x):\n    g(x)\n")
    project = analyze_project(Config(root=tmp_path, cache=False))
    finding = next(x for x in project.function("f").findings if x.code == "TH123")
    assert (finding.path, finding.line, finding.via) == ("a.py", 3, "g")


def test_a07_mutating_a_locally_created_list_is_no_side_effect() -> None:
    project = facts(
        """
        def f(n):
            out = []
            for i in range(n):
                out.append(i)
            out[0] = 5
            squares = [i * i for i in out]
            doubled = list(map(lambda v: v * 2, out))
            return out, squares, doubled
        def builds_in_callee(n):
            return f(n)
        """
    )
    assert effects(project.function("f")) == set()
    assert effects(project.function("builds_in_callee")) == set()


def test_a08_list_comprehension_calling_a_global_writer_is_a_side_effect() -> None:
    project = facts(
        """
        seen = []
        def helper(x):
            seen.append(x)
            return x
        def f(xs):
            return [helper(x) for x in xs]
        def g(xs):
            return f(xs)
        def unrelated(x):
            return x
        """
    )
    for name in ("helper", "f", "g"):
        assert "TH123" in project.function(name).codes, name
    assert effects(project.function("unrelated")) == set()


def test_a09_global_write_through_lambda_is_a_side_effect() -> None:
    # The seed tool reports no side effect here (its issue #274); the ideal verdict is one.
    project = facts(
        """
        seen = []
        def helper(x):
            seen.append(x)
            return x
        def f(xs):
            return list(map(lambda x: helper(x), xs))
        """
    )
    finding = next(x for x in project.function("f").findings if x.code == "TH123")
    assert finding.via == "helper"


def test_a10_callee_assigning_a_declared_global_affects_its_caller() -> None:
    project = facts(
        """
        a = 0
        def g():
            global a
            a += 1
        def f():
            g()
        """
    )
    assert "TH111" in project.function("g").codes
    assert "TH111" in project.function("f").codes


def test_a11_assignment_without_global_declaration_is_local() -> None:
    project = facts("a = 0\ndef g():\n    a = 1\n    return a\ndef f():\n    g()\n")
    assert effects(project.function("g")) == set()
    assert effects(project.function("f")) == set()


def test_a12_only_the_function_declaring_global_has_effects() -> None:
    project = facts(
        "a = 0\ndef w():\n    global a\n    a = 1\n"
        "def c1(x):\n    return x\ndef c2(x):\n    return x + 1\n"
    )
    assert project.function("w").codes >= {"TH111"}
    assert effects(project.function("c1")) == effects(project.function("c2")) == set()


def test_a13_callee_writes_an_argument_that_the_caller_allocated_locally() -> None:
    project = facts(
        """
        def g(a_list):
            a_list[0] = 1
        def f():
            mine = [0]
            g(mine)
            return mine
        """
    )
    assert "TH121" in project.function("g").codes
    assert effects(project.function("f")) == set()


def test_a13_callee_writes_an_argument_the_caller_got_from_outside() -> None:
    project = facts("def g(a_list):\n    a_list[0] = 1\ndef f(theirs):\n    g(theirs)\n")
    finding = next(x for x in project.function("f").findings if x.code == "TH121")
    assert (finding.line, finding.via) == (4, "g")


def test_a14_reading_an_argument_or_rebinding_an_int_is_no_side_effect() -> None:
    project = facts(
        "def g(a_list):\n    return a_list[0]\ndef h(a):\n    a = a + 1\n    return a\n"
    )
    assert effects(project.function("g")) == set()
    assert effects(project.function("h")) == set()


def test_a15_hybrid_appending_to_a_global_list_blocks_dehybridization() -> None:
    f = fn(
        """
        import tensorflow as tf
        external_list = []
        @tf.function
        def side_effect(x):
            external_list.append(x)
        side_effect(1)
        side_effect(2)
        """,
        "side_effect",
    )
    assert f.kind == "hybrid"
    assert f.has_tensor_param.value == "no"
    assert "TH123" in f.codes


def test_a16_hybrid_only_reading_a_global_and_tf_printing_has_no_effect() -> None:
    f = fn(
        """
        import tensorflow as tf
        external_list = [1, 2]
        @tf.function
        def no_side_effect(x):
            tf.print(external_list[x])
        no_side_effect(0)
        no_side_effect(1)
        """,
        "no_side_effect",
    )
    assert effects(f) == set()
    assert f.has_tensor_param.value == "no"
    assert "TH191" in f.codes


def test_a17_tf_module_call_incrementing_self_counter_mutates_self() -> None:
    project = facts(
        """
        import tensorflow as tf
        class Counter(tf.Module):
            def __init__(self):
                self.counter = 0
                self.v = tf.Variable(0)
            @tf.function
            def __call__(self):
                if self.counter < 3:
                    self.counter += 1
                self.v.assign_add(1)
        m = Counter()
        m()
        m.__call__()
        """
    )
    call = project.function("Counter.__call__")
    assert "TH122" in call.codes
    assert call.param("self").tensor.value == "no"
    assert effects(project.function("Counter.__init__")) == set()


def test_a18_next_on_a_python_iterator_is_a_side_effect() -> None:
    # The seed tool reports none (its issue #278): the graph would reuse the first value.
    f = fn(
        """
        import tensorflow as tf
        it = iter([1, 2, 3])
        @tf.function
        def f(x):
            return x + next(it)
        f(tf.constant(1))
        """,
        "f",
    )
    assert "TH104" in f.codes


def test_a19_next_on_a_dataset_iterator_is_no_side_effect() -> None:
    f = fn(
        """
        import tensorflow as tf
        it = iter(tf.data.Dataset.range(3))
        @tf.function
        def f(x):
            return x + next(it)
        f(tf.constant(1))
        """,
        "f",
    )
    assert "TH104" not in f.codes
    assert effects(f) == set()


LEAKY = """
import tensorflow as tf
x = None
{decorator}
def leaky(a):
    global x
    x = a + 1
    return x
leaky(tf.constant(1))
"""


def test_a20_hybrid_leaky_function_writes_a_global() -> None:
    f = fn(LEAKY.format(decorator="@tf.function"), "leaky")
    assert f.kind == "hybrid"
    assert f.has_tensor_param.is_yes
    assert "TH111" in f.codes
    assert "TH193" not in f.codes  # no primitive parameter: "already optimal" apart from the effect


def test_a21_eager_leaky_function_writes_a_global() -> None:
    f = fn(LEAKY.format(decorator=""), "leaky")
    assert f.kind == "eager"
    assert "TH111" in f.codes


def test_a22_a_bare_global_declaration_is_no_side_effect() -> None:
    f = fn(
        """
        import tensorflow as tf
        x = None
        def f(a):
            global x
            # x = a + 1
            return a + 2
        f(tf.constant(1))
        """,
        "f",
    )
    assert effects(f) == set()
    assert f.has_tensor_param.is_yes
    assert f.is_candidate


def test_a23_reading_a_tensor_leaked_by_a_tf_function_is_flagged() -> None:
    # The seed tool passes this (its issue #281); the read raises "out of scope" at run time.
    project = facts(
        """
        import tensorflow as tf
        x = None
        @tf.function
        def f(a):
            global x
            x = a + 1
            return x
        def g(b):
            b += x
            return b
        f(tf.constant(1))
        g(tf.constant(2))
        """
    )
    g = project.function("g")
    assert "TH186" in g.codes
    assert "TH186" not in project.function("f").codes


def test_a24_zero_parameter_function_leaking_tensors_into_globals() -> None:
    f = fn(
        """
        import tensorflow as tf
        class Holder:
            pass
        holder = Holder()
        leaks = []
        def f():
            t = tf.constant(1)
            leaks.append(t)
            holder.field = t
        f()
        """,
        "f",
    )
    assert "TH123" in f.codes
    assert "TH191" in f.codes
    assert len([x for x in f.findings if x.code == "TH123"]) == 2


def test_a25_returning_a_global_objects_attribute_is_no_side_effect() -> None:
    f = fn("class H:\n    field = 1\nh = H()\ndef f():\n    return h.field\n", "f")
    assert effects(f) == set()


def test_a26_zero_parameter_hybrid_with_and_without_leaks() -> None:
    project = facts(
        """
        import tensorflow as tf
        leaks = []
        class Holder:
            pass
        holder = Holder()
        @tf.function
        def leaking():
            t = tf.constant(1)
            leaks.append(t)
            holder.field = t
        @tf.function
        def clean():
            return tf.constant(1)
        """
    )
    leaking = project.function("leaking")
    assert len([x for x in leaking.findings if x.code == "TH123"]) == 2
    clean = project.function("clean")
    assert effects(clean) == set()
    assert "TH191" in clean.codes  # de-hybridize candidate (P2)


def test_a27_passing_a_keyword_argument_is_no_heap_write() -> None:
    project = facts("def g(p1, p2=1):\n    return p1 + p2\ndef f():\n    return g(5, p2=2)\n")
    assert effects(project.function("f")) == set()


def test_a28_defining_and_calling_a_nested_function_is_no_side_effect() -> None:
    project = facts(
        """
        import tensorflow as tf
        def f(x):
            def inner(y):
                return y * 2
            @tf.function
            def inner_hybrid(y):
                return y + 1
            return inner(x) + inner_hybrid(x)
        """
    )
    assert effects(project.function("f")) == set()
    assert project.function("f.<locals>.inner_hybrid").kind == "hybrid"


def test_a29_imported_constructors_with_effects_propagate(tmp_path: Path) -> None:
    (tmp_path / "lib.py").write_text(
        textwrap.dedent(
            """
            REGISTRY = []
            def plain(x):
                return x
            class Quiet:
                def __init__(self, v):
                    self.v = v
            class Loud:
                def __init__(self, v):
                    REGISTRY.append(v)
                def record(self):
                    REGISTRY.append(self)
            """
        )
    )
    (tmp_path / "main.py").write_text(
        textwrap.dedent(
            """
            from lib import Loud, Quiet, plain
            def quiet(x):
                q = Quiet(plain(x))
                return q.v
            def loud_init(x):
                return Loud(x)
            def loud_call(x):
                q = Quiet(x)
                l = Loud(x)
                l.record()
            """
        )
    )
    project = analyze_project(Config(root=tmp_path, cache=False))
    assert effects(project.function("quiet")) == set()
    assert "TH123" in project.function("loud_init").codes
    assert "TH123" in project.function("loud_call").codes


def test_a30_writing_to_an_opened_file_is_a_side_effect() -> None:
    # The seed tool reports none (its issue #273).
    f = fn(
        """
        def f(x):
            with open("out.txt", "w") as handle:
                handle.write(str(x))
                handle.writelines(["a"])
        """,
        "f",
    )
    assert "TH103" in f.codes


KERAS_CONTAINER = """
import tensorflow as tf
class Sub(tf.keras.layers.Layer):
    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], 2))
        self.cache = None
    def call(self, x):
        {sub_body}
        return tf.matmul(x, self.w)
class Container(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.sub = Sub()
    def call(self, x):
        return self.sub(x)
"""


def test_a31_lazy_build_of_a_sub_layer_is_not_a_side_effect() -> None:
    project = facts(KERAS_CONTAINER.format(sub_body="pass"))
    assert effects(project.function("Sub.build")) == set()
    assert effects(project.function("Container.call")) == set()


def test_a31_once_decorated_initialisation_is_not_a_side_effect() -> None:
    # Sonnet's pattern: `@snt.once` runs `_initialize` on the first call of each instance only,
    # so the variables and attributes it creates are set-up, like a Keras `build`.
    project = facts(
        """
        import tensorflow as tf
        import sonnet as snt

        class Linear(snt.Module):
            @snt.once
            def _initialize(self, inputs):
                self.input_size = inputs.shape[-1]
                self.w = tf.Variable(tf.ones([self.input_size, 3]))

            def __call__(self, inputs):
                self._initialize(inputs)
                return tf.matmul(inputs, self.w)

            def reset(self, inputs):
                self.w = tf.Variable(tf.zeros([3, 3]))  # no once: every call
                return inputs
        """
    )
    initialize = project.function("Linear._initialize")
    assert not {"TH122", "TH151"} & initialize.codes
    assert not {"TH122", "TH151"} & project.function("Linear.__call__").codes
    assert {"TH122", "TH151"} <= project.function("Linear.reset").codes


def test_a32_sub_layer_caching_its_result_on_self_is_a_side_effect_of_the_container() -> None:
    project = facts(KERAS_CONTAINER.format(sub_body="self.cache = x"))
    assert "TH122" in project.function("Sub.call").codes
    finding = next(x for x in project.function("Container.call").findings if x.code == "TH122")
    assert finding.via == "Sub.call"


def test_a33_allocations_inside_dataset_map_callbacks_are_not_side_effects() -> None:
    f = fn(
        """
        import tensorflow as tf
        def pipeline(n):
            ds = tf.data.Dataset.range(n)
            ds = ds.map(lambda x: [x, x + 1])
            ds = ds.map(lambda x: {"a": x})
            return ds
        """,
        "pipeline",
    )
    assert effects(f) == set()
