"""Plain-text rendering of a `Comparison` for the CLI (``newsloom compare A B``)."""

from __future__ import annotations

from newsloom.model import Comparison

_DIMS = ("Overall", "Geography", "Entities", "Time", "Narrative")


def _scale_word(score: float) -> str:
    if score <= 1.5:
        return "very similar"
    if score <= 2.5:
        return "somewhat similar"
    if score <= 3.5:
        return "somewhat dissimilar"
    return "very dissimilar"


def format_comparison(c: Comparison, max_evidence: int = 5) -> str:
    """Scores per dimension (1 = same .. 4 = unrelated) with their explanations and evidence."""
    lines = [
        f"{c.article_a}  vs  {c.article_b}",
        f"overall {c.overall:.2f} ({_scale_word(c.overall)}), similarity {c.similarity:.2f}, "
        f"same story: {'yes' if c.same_story else 'no'} (p={c.same_story_probability:.2f}), "
        f"cosine {c.cosine if c.cosine is not None else '-'}",
    ]
    if c.confidence != "normal":
        lines.append(f"confidence: {c.confidence}: " + "; ".join(c.warnings))
    for d in _DIMS:
        score = c.dimensions.get(d)
        if score is None:
            continue
        why = c.explanations.get(d, "")
        lines.append(f"  {d:10s} {score:.2f}  {why}")
    if c.evidence:
        lines.append("aligned sentences:")
        for pair in c.evidence[:max_evidence]:
            lines.append(f"  {pair.similarity:.2f}  A[{pair.sentence_a}] {pair.text_a[:100]}")
            lines.append(f"        B[{pair.sentence_b}] {pair.text_b[:100]}")
    if c.unmatched_a or c.unmatched_b:
        lines.append(f"unmatched: {len(c.unmatched_a)} sentences in A, {len(c.unmatched_b)} in B")
        for label, sentences in (("A", c.unmatched_a), ("B", c.unmatched_b)):
            for text in sentences[:2]:
                lines.append(f"  only in {label}: {text[:110]}")
    if c.relation:
        r = c.relation
        lines.append(f"relation: {r['relation']}"
                     + (f", direction {r['direction']}" if r.get("direction") not in (None, "unknown") else ""))
        if r.get("explanation"):
            lines.append(f"  {r['explanation']}")
    return "\n".join(lines)
