"""
The related-stories query alone at a million articles (issue 4: "related stories under 5 ms at 1,000,000").

Builds (once; reused while its shape is unchanged, new migrations applied in place) a PostgreSQL
database of N published articles with bench/data.py (tags: N/50 with a Zipf long tail, 1-8 per article),
then times `Article.objects.related_to(article)` (the ORM call the article page makes, rows materialized) for
--samples random articles after a warm-up, and prints p50/p90/p99, also of PostgreSQL's own time
(EXPLAIN ANALYZE planning + execution: no client overhead, no Python). Beside it, in the same run, the
straightforward query (count of shared tags through the ORM, as a plain taggit build would write it) on
a smaller sample, for the ratio. --explain prints EXPLAIN ANALYZE of the median sample.

    .venv/bin/python bench/related.py                      # 1,000,000 articles (building takes minutes)
    .venv/bin/python bench/related.py --articles 100000 --samples 100
"""

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench import data  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--tags", type=int, default=None, help="default: articles / 50")
    parser.add_argument("--db", default="bench_related")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--baseline-samples", type=int, default=30, help="0 skips the straightforward query")
    parser.add_argument("--explain", action="store_true")
    return parser.parse_args()


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentiles(times):
    times = sorted(times)

    def at(fraction):
        return times[min(int(fraction * len(times)), len(times) - 1)]

    return {
        "p50": statistics.median(times),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": times[-1],
        "mean": statistics.fmean(times),
    }


def straightforward(article):
    """Related stories as a plain Django + taggit build would write them: most shared tags, then newest."""
    from django.db.models import Count

    from articles.models import Article

    return (
        Article.objects.published()
        .filter(tags__in=article.tags.all())
        .exclude(pk=article.pk)
        .annotate(shared=Count("tags"))
        .order_by("-shared", "-published_at")[:5]
    )


def database_time(connection, query):
    """Planning plus execution time reported by PostgreSQL itself (no client, network or Python)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + query.raw_query, query.params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return plan["Planning Time"] + plan["Execution Time"]


def timed(function, articles):
    times = []
    for article in articles:
        started = time.perf_counter()
        rows = list(function(article))
        times.append((time.perf_counter() - started) * 1000)
        assert all(row.pk != article.pk for row in rows)
    return times


def main():
    args = parse_args()
    tags = args.tags or max(args.articles // 50, 100)
    data.setup_django(args.db)
    shape = data.Shape(args.articles, tags, authors=300, bodies=False)
    started = time.perf_counter()
    data.ensure_database(args.db, shape, rebuild=args.rebuild, log=log)
    log(f"database ready in {time.perf_counter() - started:.0f} s")

    from django.db import connection

    from articles.models import Article

    rng = random.Random(4)
    ids = rng.sample(range(1, args.articles + 1), args.samples + 50)
    by_id = Article.objects.in_bulk(ids)
    warm, sample = [by_id[i] for i in ids[:50]], [by_id[i] for i in ids[50:]]

    def related(article):
        return Article.objects.related_to(article)

    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    timed(related, warm)
    times = timed(related, sample)
    counts = [len(list(related(article))) for article in sample[:50]]
    result = percentiles(times)
    server = percentiles([database_time(connection, related(article)) for article in sample])
    baseline = None
    if args.baseline_samples:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '60s'")
        timed(straightforward, sample[:3])
        baseline = percentiles(timed(straightforward, sample[: args.baseline_samples]))
    uptime_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), (SELECT count(*) FROM articles_taggedarticle) FROM articles_article")
        article_count, link_count = cursor.fetchone()
    print(
        f"\n{article_count:,} articles, {tags:,} tags, {link_count:,} article-tag links; "
        f"{len(sample)} random articles after a warm-up of {len(warm)}; "
        f"mean {statistics.fmean(counts):.1f} related stories returned\n"
        f"uptime before: {uptime_before}\nuptime after:  {uptime_after}\n"
    )
    print("| query | samples | p50 ms | p90 ms | p99 ms | max ms | mean ms |")
    print("|---|---|---|---|---|---|---|")
    rows = [
        ("`Article.objects.related_to(article)` (end to end, rows materialized)", len(sample), result),
        ("the same query, PostgreSQL's own planning + execution time", len(sample), server),
    ]
    if baseline:
        rows.append(("straightforward: ORM count of shared tags", args.baseline_samples, baseline))
    for label, count, figures in rows:
        cells = [label, str(count), *(f"{figures[key]:.2f}" for key in ("p50", "p90", "p99", "max", "mean"))]
        print("| " + " | ".join(cells) + " |")
    if baseline:
        print(f"\nstraightforward / related_to at p50: {baseline['p50'] / result['p50']:.0f}x")

    if args.explain:
        median_article = sorted(zip(times, sample, strict=True), key=lambda pair: pair[0])[len(times) // 2][1]
        query = related(median_article)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query.raw_query, query.params)
            print(f"\nEXPLAIN ANALYZE (median sample, article {median_article.pk}):")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
