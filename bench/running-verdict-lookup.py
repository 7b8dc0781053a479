#!/usr/bin/env python3
"""The refresh after an inventory: which artifacts were judged by a running image's package list (ADR 112).

Builds a SQLite file from src/Triage.Data/Migrations/Sqlite/schema.sql (the schema a new database gets), fills Findings
and FindingVerdicts with synthetic rows (default 500,000 verdicts, 1 % of them from a running image's list: every
finding of 1 % of the artifacts), then times, alternated in the same run:
  like    the statement before ADR 112 (LIKE over every verdict's JSON),
  marker  the statement after it (the partial index IX_FindingVerdicts_FromRunningImage),
  count   COUNT(*) of FindingVerdicts (SQLite reads its smallest index, IX_FindingVerdicts_Verdict),
  scan    the longest SourcesJson, a read of every verdict row: the baseline of any full scan.
Usage: nice -n 10 python3 bench/running-verdict-lookup.py [--rows 500000] [--rounds 9] [--db /tmp/running-verdicts.db] [--reuse]
"""
import argparse
import json
import os
import sqlite3
import statistics
import time

LIKE = ('SELECT DISTINCT f."ArtifactId" FROM "FindingVerdicts" v JOIN "Findings" f ON f."Id" = v."FindingId" '
        'WHERE v."SourcesJson" LIKE \'%running-image-packages:%\' OR v."NotesJson" LIKE \'%running image%\'')
MARKER = ('SELECT DISTINCT "ArtifactId" FROM "Findings" WHERE "Id" IN '
          '(SELECT "FindingId" FROM "FindingVerdicts" WHERE "FromRunningImage")')
COUNT = 'SELECT COUNT(*) FROM "FindingVerdicts"'
SCAN = 'SELECT MAX(length("SourcesJson")) FROM "FindingVerdicts"'
STATEMENTS = (('like', LIKE), ('marker', MARKER), ('count', COUNT), ('scan', SCAN))


def build(path, rows, per_artifact):
    if os.path.exists(path):
        os.remove(path)
    here = os.path.dirname(os.path.abspath(__file__))
    schema = os.path.join(here, '..', 'src', 'Triage.Data', 'Migrations', 'Sqlite', 'schema.sql')
    db = sqlite3.connect(path)
    with open(schema, encoding='utf-8-sig') as f:
        db.executescript(f.read())
    # The artifacts, packages and groups the rows name are not needed here.
    db.execute('PRAGMA foreign_keys = OFF')
    cols = [(c[1], c[2], c[3]) for c in db.execute('PRAGMA table_info("Findings")') if c[1] != 'Id']
    fixed = {'ArtifactId': None, 'Active': 1, 'FirstSeen': '2026-11-01 08:00:00', 'LastSeen': '2026-11-30 08:00:00', 'FixedVersions': '[]'}
    insert = f'INSERT INTO "Findings" ("Id", {", ".join(chr(34) + c + chr(34) for c, _, _ in cols)}) VALUES (?{", ?" * len(cols)})'

    def finding(i):
        row = [i]
        for name, kind, notnull in cols:
            if name == 'ArtifactId':
                row.append(1 + (i - 1) // per_artifact)
            elif name in ('PackageId', 'GroupId'):
                row.append(i)
            elif name in fixed:
                row.append(fixed[name])
            elif name == 'PackageName':
                row.append(f'pkg{i % 3000}')
            elif name == 'VulnerabilityId':
                row.append(f'CVE-2024-{i % 50000:05d}')
            elif kind == 'TEXT':
                row.append('' if notnull else None)
            else:
                row.append(i % 7 if notnull else None)
        return row

    artifacts = rows // per_artifact
    running = set(range(1, artifacts + 1, 100))  # 1 % of the artifacts run under a tag another digest now runs

    def verdict(i):
        artifact = 1 + (i - 1) // per_artifact
        if artifact in running:
            image = f'registry.example/app{artifact}:1.{artifact % 9}@sha256:{artifact:064x}'
            if i % 3 == 0:
                sources = [{'source': 'running-image-packages:trivy', 'verdict': 'not_present', 'confidence': 'high',
                            'detail': f"the running image {image}'s package list has no pkg{i % 3000} (of any version)",
                            'justification': 'component_not_present'}]
                notes = []
            else:
                sources = []
                notes = [f'the running image {image} lists pkg:deb/debian/pkg{i % 3000}@1.{i % 40}']
            notes.append(f'no current workload runs this digest; {image} runs under its tag: judged by the running image\'s package list')
        else:
            files = ', '.join(f'/usr/lib/x86_64-linux-gnu/libpkg{i % 3000}.so.{k} (read 3 times)' for k in range(3))
            sources = [{'source': 'slim', 'verdict': 'loaded' if i % 4 else 'present_not_loaded', 'confidence': 'high',
                        'detail': f'3 file(s) used at runtime: {files}'}]
            notes = [] if i % 5 else [f'no file list for pkg:deb/debian/pkg{i % 3000}@1.{i % 40}: runtime file evidence cannot be applied']
        marked = any('running-image-packages:' in s['source'] for s in sources) or any('running image' in n for n in notes)
        return (i, 2 if sources else 0, 2, 1 if sources and sources[0].get('justification') else None, json.dumps(sources),
                json.dumps(notes) if notes else None, '2026-11-30 08:00:00', '2026-11-30 08:00:00', 1 if marked else 0)

    db.execute('BEGIN')
    db.executemany(insert, (finding(i) for i in range(1, rows + 1)))
    db.executemany('INSERT INTO "FindingVerdicts" ("FindingId", "Verdict", "Confidence", "ProposedJustification", "SourcesJson", '
                   '"NotesJson", "ComputedAt", "VerdictSince", "FromRunningImage") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                   (verdict(i) for i in range(1, rows + 1)))
    db.execute('COMMIT')
    db.close()


def timed(db, sql):
    start = time.perf_counter()
    result = db.execute(sql).fetchall()
    return time.perf_counter() - start, result


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rows', type=int, default=500_000)
    p.add_argument('--per-artifact', type=int, default=500)
    p.add_argument('--rounds', type=int, default=9)
    p.add_argument('--db', default='/tmp/running-verdicts.db')
    p.add_argument('--reuse', action='store_true', help='keep the file of an earlier run')
    a = p.parse_args()

    if not (a.reuse and os.path.exists(a.db)):
        start = time.perf_counter()
        build(a.db, a.rows, a.per_artifact)
        print(f'built {a.rows:,} verdicts in {time.perf_counter() - start:.0f} s')
    print(f'{os.path.getsize(a.db) / 2**20:.0f} MiB; sqlite {sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.1f}')

    db = sqlite3.connect(a.db)
    for name, sql in (('like', LIKE), ('marker', MARKER)):
        print(f'{name}: ' + '; '.join(r[3] for r in db.execute('EXPLAIN QUERY PLAN ' + sql)))
    like = sorted(r[0] for r in db.execute(LIKE))
    marker = sorted(r[0] for r in db.execute(MARKER))
    marked = db.execute('SELECT COUNT(*) FROM "FindingVerdicts" WHERE "FromRunningImage"').fetchone()[0]
    assert like == marker, 'the marker and the LIKE name different artifacts'
    print(f'{len(marker)} artifacts, {marked:,} marked verdicts; both statements name the same artifacts')

    times = {name: [] for name, _ in STATEMENTS}
    for _ in range(a.rounds):  # alternated, so load swings hit each statement alike
        for name, sql in STATEMENTS:
            times[name].append(timed(db, sql)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f'{k:>6}: median {med[k] * 1000:8.2f} ms  (min {min(v) * 1000:.2f}, max {max(v) * 1000:.2f})')
    ratios = sorted(l / m for l, m in zip(times['like'], times['marker']))
    print(f'like / marker per round: {", ".join(f"{r:.0f}" for r in ratios)}; median {statistics.median(ratios):.0f}')
    print(f'like / count {med["like"] / med["count"]:.1f}; marker / count {med["marker"] / med["count"]:.2f}; '
          f'like / scan {med["like"] / med["scan"]:.1f}; marker / scan {med["marker"] / med["scan"]:.3f}; load average {os.getloadavg()[0]:.1f}')
    db.close()


if __name__ == '__main__':
    main()
