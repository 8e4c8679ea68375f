"""End-to-end stream replay through `newsloom.Engine` (temporary database).

Generates N synthetic ~500-word articles in en/fr/de/es from templates with a
random who/where/when per story (so stories really form: several articles, in
several languages, tell each story), or, with ``--source semeval``, reads the
``original`` article texts of ../shared/data/semeval2022/train_pairs.jsonl at
run time (skipped when absent; nothing third-party is stored in the repository).

Prints articles/s, seconds per stage (`engine.pipeline.times`, plus the weaving
and the store writes timed here), and peak RSS of the main process and of the
largest worker.

Run:
    python benchmarks/stream.py --n 400 --serial
    python benchmarks/stream.py --n 400 --parallel --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import newsloom.engine as engine_module
from newsloom import Engine
from newsloom.model import RawArticle

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"

# --- synthetic articles -------------------------------------------------------------------
# Slots: {who} (a person), {org}, {where} (a city), {day} (weekday), {n}, {m} (numbers).
EVENTS = {
    "en": [
        "Negotiations between {org} and the city council of {where} collapsed on {day} after {who} walked out of the meeting.",
        "{who} told reporters in {where} that the offer on the table was not enough to end the dispute this week.",
        "About {n} workers gathered outside the main station of {where} on {day} morning, carrying flags and banners.",
        "The regional government said it would appoint a mediator if {org} did not return to the table by the weekend.",
        "Traffic in central {where} was slowed for several hours as the march moved towards the town hall.",
        "{org} said it had lost roughly {m} million euros since the start of the action and warned of further cuts.",
        "Police in {where} said the protest remained peaceful and that nobody had been arrested by the evening.",
        "{who}, who has led the union for six years, said members had voted by a large majority to continue.",
        "Residents of {where} interviewed on {day} were divided, with some backing the workers and others tired of delays.",
        "A spokesperson for {org} said the company remained open to talks but would not accept every demand.",
    ],
    "fr": [
        "Les négociations entre {org} et la mairie de {where} ont échoué {day} après le départ de {who} de la réunion.",
        "{who} a déclaré à la presse à {where} que l'offre actuelle ne suffisait pas pour mettre fin au conflit cette semaine.",
        "Environ {n} salariés se sont rassemblés devant la gare centrale de {where} {day} matin avec des drapeaux et des banderoles.",
        "Le gouvernement régional a indiqué qu'il nommerait un médiateur si {org} ne revenait pas à la table d'ici le week-end.",
        "La circulation dans le centre de {where} a été ralentie pendant plusieurs heures lorsque le cortège s'est dirigé vers l'hôtel de ville.",
        "{org} affirme avoir perdu environ {m} millions d'euros depuis le début du mouvement et prévient de nouvelles coupes.",
        "La police de {where} a précisé que la manifestation était restée pacifique et qu'aucune interpellation n'avait eu lieu.",
        "{who}, à la tête du syndicat depuis six ans, a assuré que les adhérents avaient voté à une large majorité pour continuer.",
        "Interrogés {day}, les habitants de {where} étaient partagés, certains soutenant les salariés, d'autres lassés des retards.",
        "Une porte-parole de {org} a affirmé que l'entreprise restait ouverte au dialogue sans accepter toutes les revendications.",
    ],
    "de": [
        "Die Verhandlungen zwischen {org} und dem Stadtrat von {where} sind am {day} gescheitert, nachdem {who} die Sitzung verlassen hatte.",
        "{who} sagte vor Journalisten in {where}, das vorliegende Angebot reiche nicht aus, um den Streit in dieser Woche zu beenden.",
        "Rund {n} Beschäftigte versammelten sich am {day} vor dem Hauptbahnhof von {where} mit Fahnen und Transparenten.",
        "Die Landesregierung kündigte an, einen Schlichter zu ernennen, falls {org} bis zum Wochenende nicht an den Tisch zurückkehrt.",
        "Der Verkehr in der Innenstadt von {where} war mehrere Stunden lang behindert, als der Zug zum Rathaus zog.",
        "{org} erklärte, seit Beginn des Arbeitskampfes rund {m} Millionen Euro verloren zu haben, und warnte vor weiteren Kürzungen.",
        "Die Polizei in {where} teilte mit, der Protest sei friedlich geblieben und bis zum Abend habe es keine Festnahmen gegeben.",
        "{who}, der die Gewerkschaft seit sechs Jahren führt, sagte, die Mitglieder hätten mit großer Mehrheit für eine Fortsetzung gestimmt.",
        "Die am {day} befragten Einwohner von {where} waren geteilter Meinung, manche unterstützten die Beschäftigten, andere waren verärgert.",
        "Eine Sprecherin von {org} sagte, das Unternehmen bleibe gesprächsbereit, werde aber nicht jede Forderung akzeptieren.",
    ],
    "es": [
        "Las negociaciones entre {org} y el ayuntamiento de {where} fracasaron el {day} después de que {who} abandonara la reunión.",
        "{who} dijo a los periodistas en {where} que la oferta actual no bastaba para poner fin al conflicto esta semana.",
        "Unos {n} trabajadores se concentraron el {day} por la mañana frente a la estación central de {where} con banderas y pancartas.",
        "El gobierno regional anunció que nombraría a un mediador si {org} no volvía a la mesa antes del fin de semana.",
        "El tráfico en el centro de {where} se ralentizó durante varias horas mientras la marcha avanzaba hacia el ayuntamiento.",
        "{org} aseguró haber perdido unos {m} millones de euros desde el inicio de la protesta y advirtió de nuevos recortes.",
        "La policía de {where} informó de que la protesta fue pacífica y de que no hubo detenidos hasta la noche.",
        "{who}, que dirige el sindicato desde hace seis años, afirmó que los afiliados votaron por amplia mayoría continuar.",
        "Los vecinos de {where} consultados el {day} estaban divididos: unos apoyaban a los trabajadores y otros estaban cansados.",
        "Una portavoz de {org} dijo que la empresa seguía abierta al diálogo, pero que no aceptaría todas las demandas.",
    ],
}
TITLES = {
    "en": "{org} talks collapse in {where} as {who} walks out",
    "fr": "À {where}, les négociations avec {org} échouent après le départ de {who}",
    "de": "{where}: Gespräche mit {org} gescheitert, {who} verlässt Sitzung",
    "es": "Fracasan en {where} las negociaciones con {org} tras la salida de {who}",
}
DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes"],
}
PEOPLE = ["Marta Kowalczyk", "Jonas Lindqvist", "Amélie Durand", "Carlos Ibáñez", "Elif Demir", "Pieter de Vries",
          "Sofia Marchetti", "Tomasz Nowak", "Ingrid Halvorsen", "Rui Carvalho", "Hana Novotná", "Lukas Brenner"]
ORGS = ["Nordline Ferries", "Castellan Rail", "Vireo Logistics", "Marepont Energy", "Alder Steelworks",
        "Quayside Transit", "Brightwater Utilities", "Solenne Airways"]
CITIES = ["Gdańsk", "Bordeaux", "Bilbao", "Rotterdam", "Turin", "Leipzig", "Porto", "Malmö", "Brno", "Lyon",
          "Valencia", "Kraków", "Hamburg", "Nantes", "Seville", "Graz"]


def synthetic_stream(n: int, seed: int) -> list[RawArticle]:
    """~500-word articles; 30% start a new story, the rest continue a recent one."""
    rng = random.Random(seed)
    start = datetime(2025, 3, 1, 8, tzinfo=UTC)
    stories: list[dict] = []
    out = []
    for i in range(n):
        if not stories or rng.random() < 0.3:
            stories.append({"who": rng.choice(PEOPLE), "org": rng.choice(ORGS), "where": rng.choice(CITIES),
                            "day": rng.randrange(5), "n": rng.randrange(200, 5000), "m": rng.randrange(2, 90),
                            "when": start + timedelta(hours=6 * len(stories)), "id": len(stories)})
            story = stories[-1]
        else:
            story = rng.choice(stories[-12:])
        lang = rng.choice(list(EVENTS))
        slots = dict(story, day=DAYS[lang][story["day"]])
        sentences = []
        while sum(len(s.split()) for s in sentences) < 480:  # templates repeated with fresh numbers
            template = rng.choice(EVENTS[lang])
            sentences.append(template.format(**dict(slots, n=slots["n"] + rng.randrange(50),
                                                    m=slots["m"] + rng.randrange(3))))
        paragraphs = ["\n".join(" ".join(sentences[j:j + 4]) for j in range(0, len(sentences), 4))]
        out.append(RawArticle(text=paragraphs[0], title=TITLES[lang].format(**slots), lang=lang,
                              source=f"wire-{lang}-{i % 3}", url=f"https://example.org/{i}",
                              published=story["when"] + timedelta(hours=rng.randrange(36)),
                              origin=f"synthetic:{i}", metadata={"gold_story": story["id"]}))
    return out


def semeval_stream(n: int, seed: int, words: tuple[int, int] = (51, 10**9)) -> list[RawArticle]:
    """The `original` SemEval texts of `words[0]`..`words[1]` words, in file order."""
    path = SHARED / "data" / "semeval2022" / "train_pairs.jsonl"
    if not path.exists():
        raise SystemExit(f"{path} not found: use --source synthetic")
    rng = random.Random(seed)
    out: list[RawArticle] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("quality") != "original":
                continue
            when = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(60))
            for side in ("1", "2"):
                text = row.get(f"text{side}") or ""
                if words[0] <= len(text.split()) <= words[1]:
                    out.append(RawArticle(text=text, title=row.get(f"title{side}"), lang=row.get(f"lang{side}"),
                                          url=f"semeval:{row['pair_id']}:{side}", published=when,
                                          origin=f"semeval:{row['pair_id']}:{side}"))
            if len(out) >= n:
                break
    return out[:n]


# --- run -----------------------------------------------------------------------------------
def _timed(obj, name: str, bucket: dict[str, float], key: str) -> None:
    """Wrap a bound method of `obj` so its wall time adds up in bucket[key]."""
    inner = getattr(obj, name)

    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - t

    setattr(obj, name, wrapper)


def _cpu_seconds() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def make_judge():
    try:
        from newsloom.similarity.model import SimilarityModel

        return SimilarityModel.load_default(), "trained similarity model"
    except Exception as exc:  # noqa: BLE001 - any failure means: no trained model here
        from newsloom.weave import CosineJudge

        return CosineJudge(), f"cosine baseline ({type(exc).__name__}: {str(exc)[:80]})"


def enrich_available() -> bool:
    try:
        import newsloom.dates
        import newsloom.entities  # noqa: F401
        from newsloom.entities import extract_and_link  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--parallel", dest="parallel", action="store_true", default=True)
    mode.add_argument("--serial", dest="parallel", action="store_false")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64, help="articles per Engine ingest batch")
    ap.add_argument("--encoder-threads", type=int, default=None, help="BLAS threads of the USE encoder")
    ap.add_argument("--source", choices=["synthetic", "semeval"], default="synthetic")
    ap.add_argument("--words", type=int, nargs=2, metavar=("MIN", "MAX"), default=(51, 10**9),
                    help="--source semeval: only texts of MIN..MAX words (e.g. 400 600 for ~500-word articles)")
    ap.add_argument("--index", choices=["exact", "hnsw"], default="exact")
    ap.add_argument("--no-enrich", action="store_true")
    ap.add_argument("--embed-sentences", "--max-sentences", dest="embed_sentences", type=int, default=None,
                    help="Engine(embed_sentences=K): title + first K sentences embedded (default: the embedder's cap)")
    ap.add_argument("--ner-sentences", type=int, default=None,
                    help="Engine(ner_sentences=N): the NER model reads the first N sentences, rules the rest "
                         "(default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="per-stage clock: process CPU seconds (robust on a shared machine) or wall seconds")
    args = ap.parse_args(argv)
    if args.clock == "cpu":
        # Pipeline.StageTimes reads time.perf_counter; on a loaded machine wall time mostly measures
        # the wait for a core, so the stages are timed in this process's (or worker's) CPU seconds.
        wall_clock = time.perf_counter
        time.perf_counter = time.process_time
    else:
        wall_clock = time.perf_counter

    raws = synthetic_stream(args.n, args.seed) if args.source == "synthetic" \
        else semeval_stream(args.n, args.seed, tuple(args.words))
    words = sum(len(r.text.split()) for r in raws) / max(1, len(raws))
    enrich = not args.no_enrich and enrich_available()
    judge, judge_name = make_judge()
    from newsloom.embed.use import UniversalSentenceEncoder

    encoder = UniversalSentenceEncoder(threads=args.encoder_threads)
    engine_module.INGEST_BATCH = args.batch
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(db=os.path.join(tmp, "stream.db"), encoder=encoder, similarity=judge, enrich=enrich,
                        workers=args.workers if args.parallel else 0, embed_sentences=args.embed_sentences,
                        ner_sentences=args.ner_sentences)
        if args.index == "hnsw":
            from newsloom.index import make_index

            engine.weaver.index = make_index("hnsw", encoder.dim)
        t = wall_clock()
        encoder.encode(["warm up"])  # model load is start-up, not throughput
        engine.weaver  # noqa: B018 - restore the (empty) live pool now
        startup = {"encoder load": wall_clock() - t}
        other: dict[str, float] = {}
        _timed(engine.weaver, "assign", other, "weave: assign (incl. verifier)")
        _timed(engine.weaver, "commit", other, "weave: commit")
        _timed(engine.store, "insert_article", other, "store: insert article")
        preparer = None
        if args.parallel:
            preparer = engine.preparer  # Engine(workers=N): a ParallelPreparer around engine.pipeline
            t = wall_clock()
            preparer.start()
            startup["workers (fork after loading models)"] = wall_clock() - t
        else:
            t = wall_clock()
            from newsloom.parallel import _warm_up

            _warm_up(engine.pipeline)
            startup["models (serial warm-up)"] = wall_clock() - t
        cpu0 = _cpu_seconds()
        t = wall_clock()
        report = engine.ingest_raw(raws)
        elapsed = wall_clock() - t
        cpu_main = _cpu_seconds()[0] - cpu0[0]
        stories = engine.store.count_stories()
        if preparer is not None:
            parallel_times = preparer.times
        engine.close()  # closes the workers too: children's CPU is counted once they are reaped
    cpu_children = _cpu_seconds()[1] - cpu0[1]

    main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    added = len(report.added)
    print(f"# stream replay: {len(raws)} articles ({args.source}, mean {words:.0f} words), "
          f"{'parallel x' + str(args.workers) if args.parallel else 'serial'}, batch {args.batch}, "
          f"enrich={enrich}, index={args.index}, encoder threads {encoder.threads}, "
          f"max sentences {engine.pipeline.embedder.max_sentences}, NER sentences {args.ner_sentences or 'all'}, "
          f"judge: {judge_name}; cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"added {added}, errors {len(report.errors)}, duplicates {len(report.duplicates)}, stories {stories}")
    gold_of = {r.origin: r.metadata["gold_story"] for r in raws if "gold_story" in r.metadata}
    if gold_of:  # synthetic stories are known: how well did the stream weave them?
        from newsloom.evaluation.weave import bcubed_scores, pairwise_scores

        gold = {r.article_id: str(gold_of[r.origin]) for r in report.added if r.origin in gold_of}
        predicted = {r.article_id: r.story_id for r in report.added if r.origin in gold_of}
        pw, b3 = pairwise_scores(gold, predicted), bcubed_scores(gold, predicted)
        print(f"weaving vs the synthetic gold ({len(set(gold.values()))} stories): pairwise P {pw['precision']:.3f} "
              f"R {pw['recall']:.3f} F1 {pw['f1']:.3f}; B-cubed F1 {b3['f1']:.3f}")
    print(f"wall {elapsed:.1f} s -> {added / elapsed:.1f} articles/s")
    print(f"CPU used during the run: main {cpu_main:.1f} s, workers {cpu_children:.1f} s "
          f"(2 cores x wall = {2 * elapsed:.1f} s available if the machine were idle)")
    # on 2 idle cores a run can go no faster than its busiest process, nor than all its CPU
    # seconds spread over both cores (main + workers share the same 2 cores)
    busiest = max(cpu_main, cpu_children / max(1, args.workers) if args.parallel else 0.0)
    spread = (cpu_main + cpu_children) / 2 if args.parallel else cpu_main
    print(f"CPU-bound estimate on 2 idle cores: {added / max(busiest, spread, 1e-9):.1f} articles/s "
          f"(articles / max(CPU s of the busiest process {busiest:.1f}, all CPU s / 2 cores {spread:.1f})); "
          f"CPU per article {1000 * (cpu_main + cpu_children) / max(1, added):.1f} ms")
    print("start-up, wall seconds (not in the run): " + ", ".join(f"{k} {v:.1f} s" for k, v in startup.items()))
    label = f"{args.clock} seconds" + (", summed over workers for the prepare stages" if args.parallel else "")
    print(f"per stage ({label}):")
    for stage, seconds in sorted(engine.pipeline.times.seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<32}{seconds:8.2f}  ({1000 * seconds / max(1, added):.1f} ms/article)")
    for stage, seconds in sorted(other.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<32}{seconds:8.2f}  ({1000 * seconds / max(1, added):.1f} ms/article)")
    if args.parallel and args.clock == "wall":
        print(f"  {'main waiting for workers':<32}{parallel_times.prepare_wait:8.2f}")
    print(f"peak RSS: main {main_rss:.0f} MiB, largest worker {child_rss:.0f} MiB")
    if report.errors:
        print("first error:", report.errors[0].error)


if __name__ == "__main__":
    main()
