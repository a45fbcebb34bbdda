from __future__ import annotations

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from tinytext.callbacks import HistoryLogger, LinearWarmup
from tinytext.data import make_corpus, make_dataset
from tinytext.finetune import FineTuner
from tinytext.models import NextTokenModel, TextClassifier

EPOCHS = 4
BATCHES_PER_EPOCH = 5


@pytest.fixture(scope="module")
def trained(corpus, caplog_module):
    keras.utils.set_random_seed(5)
    tokens, labels = corpus
    model = TextClassifier(64, 12)
    model.build((16, 12))
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    logger, warmup = HistoryLogger(), LinearWarmup(0.01, warmup_batches=8)
    train = make_dataset(tokens[:80], labels[:80], batch_size=16, augment=True, seed=3)
    fit = model.fit(train, epochs=EPOCHS, callbacks=[logger, warmup], verbose=0)
    return model, fit, logger, warmup


@pytest.fixture(scope="module")
def caplog_module():
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.INFO)
    target = logging.getLogger("tinytext")
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    yield records
    target.removeHandler(handler)


def test_fit_lowers_the_loss(trained):
    _, fit, _, _ = trained
    losses = fit.history["loss"]
    assert len(losses) == EPOCHS
    assert losses[-1] < losses[0]


def test_history_logger_keeps_and_logs_every_epoch(trained, caplog_module):
    _, fit, logger, _ = trained
    assert [entry["loss"] for entry in logger.history] == pytest.approx(fit.history["loss"])
    assert all(entry["weight_norm"] > 0 for entry in logger.history)
    lines = [r.getMessage() for r in caplog_module if r.name == "tinytext.callbacks"]
    assert sum(line.startswith("epoch ") for line in lines) == EPOCHS


def test_warmup_reaches_the_target_rate(trained):
    model, _, _, warmup = trained
    assert warmup.batches_seen == EPOCHS * BATCHES_PER_EPOCH
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_evaluate_uses_the_custom_test_step(trained, corpus):
    model, _, _, _ = trained
    tokens, labels = corpus
    results = model.evaluate(tokens[80:], labels[80:], batch_size=16, return_dict=True, verbose=0)
    assert set(results) == {"loss", "macro_f1"}
    assert results["loss"] < 1.3


class FineTunerTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(6)
        self.model = TextClassifier(64, 12)  # fresh per test: each fine-tunes from scratch
        self.model.build((8, 12))
        self.tokens, self.labels = make_corpus(32, 12, 64, seed=9)

    def test_steps_lower_the_loss(self):
        tuner = FineTuner(self.model, learning_rate=0.01)
        batch = (self.tokens[:8], self.labels[:8])
        losses = [float(tuner.step(*batch)) for _ in range(12)]
        self.assertLess(losses[-1], 0.8 * losses[0])

    def test_run_keeps_a_mean_loss_per_epoch(self):
        tuner = FineTuner(self.model, learning_rate=0.005)
        dataset = make_dataset(self.tokens, self.labels, batch_size=8, seed=1)
        with self.assertLogs("tinytext.finetune", level="INFO") as logs:
            history = tuner.run(dataset, epochs=3)
        self.assertLen(history, 3)
        self.assertIs(history, tuner.history)
        self.assertLen(logs.records, 3)
        self.assertLess(history[-1], history[0])


def test_language_model_learns_a_cycle():
    keras.utils.set_random_seed(7)
    cycle = np.tile(np.arange(20, 26), 4)
    windows = np.stack([cycle[i : i + 6] for i in range(12)])
    targets = np.array([cycle[i + 6] for i in range(12)])
    model = NextTokenModel(64, dim=16)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(windows, targets, epochs=40, batch_size=12, verbose=0)
    predicted = tf.argmax(model(tf.constant(windows)), axis=-1).numpy()
    assert (predicted == targets).mean() >= 0.9
