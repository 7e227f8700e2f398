#!/usr/bin/env python3
"""Benchmark peer: the scheduling model of docs/scheduling.md as a MIP, solved by CBC.

usage: peer_cbc.py problem.json [--time-limit S]
Prints one JSON line: {"status", "placed", "weight", "breaks", "excess", "seconds"}.
status is "optimal" only when CBC proved optimality. The objective is lexicographic through
weights: placed weight, then fairness excess over d, then breaks (buyers' venue changes, the
last criterion, are left out of the MIP). Writes the LP file directly (no PuLP needed).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

CBC = os.environ.get("SANGDAM_CBC", "/usr/bin/cbc")


def build(problem):
    slots = []
    for day, d in enumerate(problem["days"]):
        slots += [(day, "morning")] * d.get("morning", 0) + [(day, "afternoon")] * d.get("afternoon", 0)
    S = len(slots)
    slot_minutes = problem.get("slot_minutes", 30)
    d_bound = problem.get("fairness_bound", 2)
    venues = {v["id"]: v for v in problem["venues"]}
    only_venue = problem["venues"][0]["id"]
    tables = {vid: v.get("tables_per_slot") or [v.get("tables", 0)] * S for vid, v in venues.items()}
    pools = {p["language"]: p.get("count_per_slot") or [p.get("count", 0)] * S
             for p in problem.get("interpreters", [])}
    travel = {}
    for t in problem.get("travel", []):
        gap = math.ceil(t["minutes"] / slot_minutes)
        travel[(t["from"], t["to"])] = travel[(t["to"], t["from"])] = gap
    people = {p["id"]: p for p in problem["participants"]}
    meetings = problem["meetings"]
    index = {m["id"]: i for i, m in enumerate(meetings)}

    def venue(m):
        return m.get("venue") or only_venue

    def static_ok(m, s):
        day, session = slots[s]
        if m.get("fixed_slot") is not None and m["fixed_slot"] != s:
            return False
        if m.get("session", "any") not in ("any", session):
            return False
        for who in m["between"]:
            if s in people[who].get("unavailable", []):
                return False
        if tables[venue(m)][s] == 0:
            return False
        lang = m.get("language")
        if lang and pools.get(lang, [0] * S)[s] == 0:
            return False
        return True

    cons = []
    x = {}
    for i, m in enumerate(meetings):
        for s in range(S):
            if static_ok(m, s):
                x[(i, s)] = f"x_{i}_{s}"
    for i in range(len(meetings)):
        terms = [x[(i, s)] for s in range(S) if (i, s) in x]
        if terms:
            cons.append(" + ".join(terms) + " <= 1")
    by_person = {p: [] for p in people}
    for i, m in enumerate(meetings):
        for who in m["between"]:
            by_person[who].append(i)
    pid = {p: k for k, p in enumerate(people)}
    binaries = list(x.values())
    generals = []
    busy = {}
    for p, mine in by_person.items():
        cap = people[p].get("capacity", 1)
        for s in range(S):
            terms = [x[(i, s)] for i in mine if (i, s) in x]
            b = f"b_{pid[p]}_{s}"
            busy[(p, s)] = b
            binaries.append(b)
            if not terms:
                cons.append(f"{b} = 0")
                continue
            cons.append(" + ".join(terms) + f" <= {cap}")
            for t in terms:
                cons.append(f"{b} - {t} >= 0")
            cons.append(" + ".join(terms) + f" - {b} >= 0")
            # Travel: busy at venue u in s and at venue v in t too close together.
    for p, mine in by_person.items():
        at = {}
        for i in mine:
            for s in range(S):
                if (i, s) in x:
                    at.setdefault((venue(meetings[i]), s), []).append(x[(i, s)])
        if len({v for v, _ in at}) < 2:
            continue
        z = {}
        for (v, s), terms in at.items():
            name = f"z_{pid[p]}_{s}_{list(venues).index(v)}"
            z[(v, s)] = name
            binaries.append(name)
            for t in terms:
                cons.append(f"{name} - {t} >= 0")
        keys = list(z)
        for a in range(len(keys)):
            for b in range(a + 1, len(keys)):
                (u, s), (v, t) = keys[a], keys[b]
                if u == v or slots[s][0] != slots[t][0]:
                    continue
                if abs(t - s) - 1 < travel.get((u, v), 0):
                    cons.append(f"{z[keys[a]]} + {z[keys[b]]} <= 1")
    # Daily maximum: a participant's own value, else the problem's; 0 means none.
    for p, mine in by_person.items():
        most = people[p].get("max_meetings_per_day", 0) or problem.get("max_meetings_per_day", 0)
        if most <= 0:
            continue
        for day in range(len(problem["days"])):
            terms = [x[(i, s)] for i in mine for s in range(S) if slots[s][0] == day and (i, s) in x]
            if len(terms) > most:
                cons.append(" + ".join(terms) + f" <= {most}")
    for vid in venues:
        for s in range(S):
            terms = [x[(i, s)] for i, m in enumerate(meetings) if venue(m) == vid and (i, s) in x]
            if terms:
                cons.append(" + ".join(terms) + f" <= {tables[vid][s]}")
    langs = {m.get("language") for m in meetings if m.get("language")}
    for lang in langs:
        for s in range(S):
            terms = [x[(i, s)] for i, m in enumerate(meetings) if m.get("language") == lang and (i, s) in x]
            if terms:
                cons.append(" + ".join(terms) + f" <= {pools.get(lang, [0] * S)[s]}")
    for i, m in enumerate(meetings):
        for before in m.get("after", []):
            e = index[before]
            for s in range(S):
                if (i, s) not in x:
                    continue
                later_or_same = [x[(e, t)] for t in range(s, S) if (e, t) in x]
                if later_or_same:
                    cons.append(x[(i, s)] + " + " + " + ".join(later_or_same) + " <= 1")
    # Breaks: a break starts at s when busy at s-1, free at s, busy later the same day.
    breaks_of = {}
    for p in people:
        starts = []
        for s in range(1, S):
            if slots[s][0] != slots[s - 1][0]:
                continue
            later = [t for t in range(s + 1, S) if slots[t][0] == slots[s][0]]
            if not later:
                continue
            lat = f"l_{pid[p]}_{s}"
            binaries.append(lat)
            for t in later:
                cons.append(f"{lat} - {busy[(p, t)]} >= 0")
            st = f"s_{pid[p]}_{s}"
            binaries.append(st)
            cons.append(f"{st} - {busy[(p, s - 1)]} + {busy[(p, s)]} - {lat} >= -1")
            starts.append(st)
        br = f"br_{pid[p]}"
        generals.append(br)
        cons.append((" + ".join(starts) + f" - {br} = 0") if starts else f"{br} = 0")
        breaks_of[p] = br
    generals += ["maxb", "minb", "excess"]
    for br in breaks_of.values():
        cons.append(f"maxb - {br} >= 0")
        cons.append(f"minb - {br} <= 0")
    cons.append(f"excess - maxb + minb >= -{d_bound}")
    P = max(1, len(people))
    w_excess = P * S + 1
    w_weight = w_excess * (S + 1) + P * S + 1
    obj = [f"{w_weight * max(1, round(m.get('weight', 1) * 1000))} {x[(i, s)]}"
           for i, m in enumerate(meetings) for s in range(S) if (i, s) in x]
    obj.append(f"- {w_excess} excess")
    obj += [f"- {br}" for br in breaks_of.values()]
    lines = ["Maximize", " obj: " + " + ".join(obj).replace("+ -", "-"), "Subject To"]
    lines += [f" c{k}: {c}" for k, c in enumerate(cons)]
    lines += ["Bounds", " excess >= 0"]
    lines += [f" 0 <= {g} <= {S}" for g in generals if g != "excess"]
    lines += ["Binaries"] + [" " + b for b in binaries]
    lines += ["Generals"] + [" " + g for g in generals]
    lines.append("End")
    return "\n".join(lines) + "\n", x, meetings, breaks_of


def main():
    path = sys.argv[1]
    limit = float(sys.argv[sys.argv.index("--time-limit") + 1]) if "--time-limit" in sys.argv else 600
    with open(path) as f:
        problem = json.load(f)
    start = time.monotonic()
    lp, x, meetings, breaks_of = build(problem)
    with tempfile.TemporaryDirectory() as tmp:
        lp_path = os.path.join(tmp, "model.lp")
        out_path = os.path.join(tmp, "solution.txt")
        with open(lp_path, "w") as f:
            f.write(lp)
        subprocess.run([CBC, lp_path, "sec", str(limit), "threads", "1", "solve", "solu", out_path],
                       check=True, stdout=subprocess.DEVNULL)
        with open(out_path) as f:
            head = f.readline()
            values = {}
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    values[parts[1]] = float(parts[2])
    seconds = time.monotonic() - start
    status = "optimal" if head.startswith("Optimal") else head.split()[0].lower()
    placed = [i for (i, s), name in x.items() if values.get(name, 0) > 0.5]
    breaks = [round(values.get(b, 0)) for b in breaks_of.values()]
    print(json.dumps({
        "status": status,
        "placed": len(placed),
        "weight": sum(meetings[i].get("weight", 1) for i in placed),
        "breaks": sum(breaks),
        "excess": max(0, (max(breaks) - min(breaks) if breaks else 0) - problem.get("fairness_bound", 2)),
        "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
