"""Accuracy side by side on the question set: the project's matcher and two baselines.

* **project**: :class:`bot.dialogue.Dialogue`, labelled exactly as ``sciatica-bot eval`` does.
* **WRatio**: ``rapidfuzz.process.extractOne`` with ``fuzz.WRatio`` and
  ``utils.default_process`` over the same intent examples; below a threshold it falls back.
* **TF-IDF + LR**: scikit-learn (optional extra ``bench``), word and character n-grams,
  multinomial logistic regression; below a probability threshold it falls back.

Both baselines choose their threshold on the intent examples alone (never on the questions):
each example is predicted from the *other* examples (leave-one-out for WRatio, 5-fold for
TF-IDF), the lexicon's out-of-scope terms ("knee", "headache", ...) stand for messages to
reject, and the threshold with the best accuracy on that set wins.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bench.common import Question, percentile
from bench.report import Table
from bot.content import RED_FLAGS, Content
from bot.dialogue import Dialogue
from bot.evaluation.labelled import Label, label_of
from bot.replies import ChatState, ReplyKind

Predict = Callable[[str], str]
SKLEARN_HINT = "skipped: pip install -e '.[bench]'"
ASKED_BACK = "did you mean"
"""What the project predicts when it asks "Did you mean ...?" instead of answering."""


@dataclass(frozen=True)
class Scores:
    """Accuracy figures of one system on the question set (shares 0-100, NaN where there was
    nothing to count; times in us)."""

    name: str
    overall: float
    in_scope: float
    oos_rejection: float
    red_flag_recall: float
    p50_us: float
    p99_us: float
    note: str = ""


def score(
    name: str,
    predict: Predict,
    questions: Sequence[Question],
    note: str = "",
) -> Scores:
    """Ask every question once, timing each answer; counted strictly, as ``sciatica-bot eval``
    counts "answered right": the predicted label must be one of the item's labels (a "Did you
    mean" predicts :data:`ASKED_BACK`, which no label matches)."""
    right = in_right = in_n = oos_right = oos_n = red_right = red_n = 0
    times: list[float] = []
    for q in questions:
        start = time.perf_counter_ns()
        got = predict(q.q)
        times.append((time.perf_counter_ns() - start) / 1000)
        ok = got in q.want
        right += ok
        if q.want == (Label.FALLBACK,):
            oos_n += 1
            oos_right += ok
        else:
            in_n += 1
            in_right += ok
        if RED_FLAGS in q.want:
            red_n += 1
            red_right += got == RED_FLAGS

    def pct(a: int, b: int) -> float:
        return 100.0 * a / b if b else float("nan")

    return Scores(
        name,
        pct(right, len(questions)),
        pct(in_right, in_n),
        pct(oos_right, oos_n),
        pct(red_right, red_n),
        percentile(times, 50),
        percentile(times, 99),
        note,
    )


def training_set(content: Content) -> tuple[list[str], list[str]]:
    """Texts and intent labels of every example."""
    texts = [e.text for i in content.intents.values() for e in i.examples]
    labels = [e.intent for i in content.intents.values() for e in i.examples]
    return texts, labels


def best_threshold(scored: Sequence[tuple[str, float, str]]) -> float:
    """The threshold with the best accuracy on ``(predicted, score, wanted)`` triples.

    A prediction below the threshold counts as the fallback. Ties go to the lowest threshold.
    """
    best, best_right = 0.0, -1
    for t in sorted({s for _, s, _ in scored} | {0.0}):
        right = sum((p if s >= t else Label.FALLBACK) == want for p, s, want in scored)
        if right > best_right:
            best, best_right = t, right
    return best


def project_predictor(content: Content) -> Predict:
    """The bot itself: a fresh chat per question, labelled like ``sciatica-bot eval``; a
    "Did you mean" is :data:`ASKED_BACK`."""
    dialogue = Dialogue(content)

    def predict(text: str) -> str:
        reply, _ = dialogue.handle(ChatState(), text)
        if reply.kind == ReplyKind.DID_YOU_MEAN:
            return ASKED_BACK
        label = label_of(reply)
        return RED_FLAGS if label in (Label.URGENT, Label.CRISIS) else label

    return predict


def wratio_predictor(content: Content) -> tuple[Predict, float]:
    """``extractOne(WRatio, default_process)`` over the examples, threshold by leave-one-out."""
    texts, labels = training_set(content)
    processed = [utils.default_process(t) for t in texts]
    scored: list[tuple[str, float, str]] = []
    for i, text in enumerate(processed):
        hits = process.extract(text, processed, scorer=fuzz.WRatio, processor=None, limit=2)
        hit = next(h for h in hits if h[2] != i)
        scored.append((labels[hit[2]], hit[1], labels[i]))
    for term in content.out_of_scope:
        hit = process.extractOne(
            utils.default_process(term), processed, scorer=fuzz.WRatio, processor=None
        )
        scored.append(
            (labels[hit[2]] if hit else Label.FALLBACK, hit[1] if hit else 0.0, Label.FALLBACK)
        )
    threshold = best_threshold(scored)

    def predict(text: str) -> str:
        hit = process.extractOne(
            text,
            texts,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=threshold,
        )
        return labels[hit[2]] if hit is not None else Label.FALLBACK

    return predict, threshold


def tfidf_predictor(content: Content) -> tuple[Predict, float] | None:
    """TF-IDF (words 1-2, characters 2-5) + logistic regression; None without scikit-learn."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import make_pipeline, make_union
    except ImportError:
        return None

    def model():  # noqa: ANN202 - scikit-learn is optional, so it stays untyped here
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        return make_pipeline(features, LogisticRegression(C=20.0, max_iter=2000))

    texts, labels = training_set(content)
    scored: list[tuple[str, float, str]] = []
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for train, test in folds.split(texts, labels):
        fold = model().fit([texts[i] for i in train], [labels[i] for i in train])
        probs = fold.predict_proba([texts[i] for i in test])
        for i, row in zip(test, probs, strict=True):
            k = int(row.argmax())
            scored.append((str(fold.classes_[k]), float(row[k]), labels[i]))
    full = model().fit(texts, labels)
    oos = list(content.out_of_scope)
    if oos:
        for row in full.predict_proba(oos):
            k = int(row.argmax())
            scored.append((str(full.classes_[k]), float(row[k]), Label.FALLBACK))
    threshold = best_threshold(scored)
    classes = [str(c) for c in full.classes_]

    def predict(text: str) -> str:
        row = full.predict_proba([text])[0]
        k = int(row.argmax())
        return classes[k] if row[k] >= threshold else Label.FALLBACK

    return predict, threshold


def share(value: float) -> str:
    """A share for the table: ``n/a`` when there was nothing to count."""
    return "n/a" if math.isnan(value) else f"{value:.1f}%"


def run_accuracy(
    content: Content,
    questions: Sequence[Question],
    with_sklearn: bool = True,
    name: str = "tests/data/questions.yml",
) -> tuple[Table, list[Scores]]:
    """Score the three systems on one labelled file and tabulate them."""
    project = project_predictor(content)
    results = [score("project (safety screen + matcher)", project, questions)]
    wratio, w_threshold = wratio_predictor(content)
    results.append(
        score(
            "rapidfuzz WRatio extractOne",
            wratio,
            questions,
            f"threshold {w_threshold:.1f}",
        )
    )
    tfidf = tfidf_predictor(content) if with_sklearn else None
    if tfidf is None:
        results.append(Scores("TF-IDF + logistic regression", -1, -1, -1, -1, 0, 0, SKLEARN_HINT))
    else:
        predict, threshold = tfidf
        results.append(
            score(
                "TF-IDF + logistic regression",
                predict,
                questions,
                f"p >= {threshold:.2f}",
            )
        )
    table = Table(
        f"Accuracy on {name}",
        [
            "system",
            "overall",
            "in-scope",
            "out-of-scope rejected",
            "red-flag recall",
            "p50 us",
            "p99 us",
            "note",
        ],
    )
    for r in results:
        if r.overall < 0:
            table.add(r.name, "-", "-", "-", "-", "-", "-", r.note)
        else:
            table.add(
                r.name,
                f"{r.overall:.1f}%",
                share(r.in_scope),
                share(r.oos_rejection),
                share(r.red_flag_recall),
                f"{r.p50_us:.0f}",
                f"{r.p99_us:.0f}",
                r.note,
            )
    n_oos = sum(q.want == (Label.FALLBACK,) for q in questions)
    n_red = sum(RED_FLAGS in q.want for q in questions)
    table.notes.append(
        f"{len(questions)} messages ({n_red} urgent, {n_oos} out of scope), none a training "
        'phrase. Counted strictly, as `sciatica-bot eval` counts "answered right": a "Did you '
        'mean" is not an answer, and an out-of-scope message is declined only by the answer '
        "it is labelled with. "
        "Baselines learn from the same intent examples; their thresholds are chosen "
        "on the examples (held-out predictions) plus the lexicon's out-of-scope terms, never "
        "on the questions. Times are per question, one at a time."
    )
    return table, results
