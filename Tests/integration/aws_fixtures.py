"""Loads the recorded Amazon SQS answers in Tests/fixtures/aws-sqs and turns a case into concrete requests."""
import copy
import itertools
import json
import os
import re

from ferry_cluster import ACCOUNT, REGION

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "aws-sqs")
_run = itertools.count()


def load(file_name):
    with open(os.path.join(FIXTURES, file_name)) as f:
        return json.load(f)


def error_cases():
    """Every recorded error case, from every file that holds them."""
    cases = []
    for file_name in ("queues.json", "messages.json", "batches.json", "move-tasks.json", "permissions.json"):
        if os.path.exists(os.path.join(FIXTURES, file_name)):
            cases += load(file_name)
    return cases


class Names:
    """Queue names for one run of a case: unique per run (a deleted name is blocked for 60 s), `.fifo` where
    the case says so, and `unknown` for a queue that is never created."""

    def __init__(self, cluster, case):
        run = next(_run)
        stem = re.sub(r"[^A-Za-z0-9-]", "-", case["id"])[:50]
        aliases = dict(case.get("queues", {}))
        aliases.setdefault("unknown", {})
        self.queues = {}
        for alias, spec in aliases.items():
            name = f"{stem}-{alias}-{run}" + (".fifo" if spec.get("fifo") else "")
            self.queues[alias] = {"name": name, "url": cluster.queue_url(name),
                                  "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"}

    def substitute(self, value):
        """`value` with `${alias.field}` replaced and `$repeat` / `$entries` expanded."""
        if isinstance(value, str):
            return re.sub(r"\$\{(\w+)\.(\w+)\}", lambda m: self.queues[m.group(1)][m.group(2)], value)
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if isinstance(value, dict):
            if "$repeat" in value:
                return value["$repeat"] * value["$times"]
            if "$entries" in value:
                return [self.substitute(_numbered(value["entry"], i)) for i in range(1, value["$entries"] + 1)]
            return {k: self.substitute(v) for k, v in value.items()}
        return value


def _numbered(template, i):
    entry = copy.deepcopy(template)
    return {k: v.replace("${i}", str(i)) if isinstance(v, str) else v for k, v in entry.items()}
