#!/usr/bin/env python3
"""Prints the figures of the code's shape (issue "The house"): Tauri commands and CLI subcommands over 15 lines,
the largest source files, public functions of core crates returning `String` errors, and
import cycles between files of one crate. Reads the tree as text; changes nothing.

    python3 scripts/shape.py [--max-command-lines 15] [--largest 10]
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def rust_files(folder):
    return sorted(p for p in (ROOT / folder).rglob("*.rs") if "target" not in p.parts)


def source_files():
    """Source, not tests: crates/*/src and src-tauri/src."""
    out = []
    for crate_src in sorted(ROOT.glob("crates/*/src")) + [ROOT / "src-tauri/src"]:
        out += rust_files(crate_src.relative_to(ROOT))
    return out


def fn_extent(lines, start):
    """Lines from `start` (the fn line) to the closing brace of its body."""
    depth, opened = 0, False
    for i in range(start, len(lines)):
        code = re.sub(r'"(\\.|[^"\\])*"', '""', lines[i].split("//")[0])
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth == 0:
            return i - start + 1
    return len(lines) - start


def tauri_commands():
    out = []
    for path in rust_files("src-tauri/src"):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if line.strip().startswith("#[tauri::command"):
                j = i + 1
                while not re.search(r"\bfn\s", lines[j]):
                    j += 1
                name = re.search(r"fn\s+(\w+)", lines[j]).group(1)
                out.append((fn_extent(lines, j), name, path.relative_to(ROOT)))
    return out


def cli_subcommands():
    """The `pub fn`s of the CLI's subcommand modules (not `main`, which only dispatches)."""
    out = []
    for path in rust_files("crates/cli/src"):
        if path.name in ("lib.rs", "main.rs"):
            continue
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"pub fn (\w+)", line)
            if m:
                out.append((fn_extent(lines, i), m.group(1), path.relative_to(ROOT)))
    return out


def string_error_fns():
    out = []
    for path in source_files():
        if path.parts[len(ROOT.parts)] != "crates" or "/cli/" in str(path):
            continue
        text = path.read_text()
        for m in re.finditer(r"pub(?:\([a-z]+\))?\s+(?:async\s+)?fn\s+(\w+)[^{;]*?->\s*([^{;]*)", text):
            if m.group(0).startswith("pub(") :
                continue
            ret = re.sub(r"\s+", "", m.group(2))
            if re.search(r"Result<.*,String>$", ret):
                out.append(f"{path.relative_to(ROOT)}::{m.group(1)}")
    return out


def module_of(path, src):
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts)


def cycles():
    """Strongly connected groups of files that import each other (`use crate::…`, `super::`)."""
    found = []
    for src in sorted(ROOT.glob("crates/*/src")) + [ROOT / "src-tauri/src"]:
        files = rust_files(src.relative_to(ROOT))
        mods = {module_of(p, src): p for p in files}
        graph = {m: set() for m in mods}
        for m, p in mods.items():
            text = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", p.read_text(), flags=re.S)
            targets = set()
            for path in re.findall(r"\bcrate::((?:\w+::)*\w+)", text):
                targets.add(path)
            parent = m.rsplit("::", 1)[0] if "::" in m else ""
            for path in re.findall(r"\bsuper::((?:\w+::)*\w+)", text):
                targets.add(f"{parent}::{path}" if parent else path)
            for t in targets:
                segs = t.split("::")
                for k in range(len(segs), 0, -1):
                    cand = "::".join(segs[:k])
                    if cand in mods and cand != m:
                        # a file importing its own submodule or parent's items is not a cycle edge we count
                        graph[m].add(cand)
                        break
        # Tarjan
        index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]

        def strong(v):
            index[v] = low[v] = n[0]
            n[0] += 1
            stack.append(v)
            on.add(v)
            for w in graph[v]:
                if w not in index:
                    strong(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

        sys.setrecursionlimit(10000)
        for v in graph:
            if v not in index:
                strong(v)
        crate = src.parent.name
        for c in comps:
            found.append((crate, c))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-command-lines", type=int, default=15)
    ap.add_argument("--largest", type=int, default=10)
    a = ap.parse_args()

    cmds = tauri_commands()
    long = sorted((c for c in cmds if c[0] > a.max_command_lines), reverse=True)
    print(f"Tauri commands: {len(cmds)}, over {a.max_command_lines} lines: {len(long)}")
    for n, name, path in long:
        print(f"  {n:4} {name} ({path})")

    subs = cli_subcommands()
    long = sorted((c for c in subs if c[0] > a.max_command_lines), reverse=True)
    print(f"CLI subcommands: {len(subs)}, over {a.max_command_lines} lines: {len(long)}")
    for n, name, path in long:
        print(f"  {n:4} {name} ({path})")

    sizes = sorted(((len(p.read_text().splitlines()), p.relative_to(ROOT)) for p in source_files()), reverse=True)
    print(f"largest source files (of {len(sizes)}; over 800 lines: {sum(1 for s in sizes if s[0] > 800)}):")
    for n, p in sizes[: a.largest]:
        print(f"  {n:5} {p}")

    errs = string_error_fns()
    print(f"public functions of core crates returning Result<_, String>: {len(errs)}")
    for e in errs:
        print(f"  {e}")

    cyc = cycles()
    print(f"import cycles between files: {len(cyc)}")
    for crate, comp in cyc:
        print(f"  {crate}: {' <-> '.join(comp)}")


if __name__ == "__main__":
    main()
