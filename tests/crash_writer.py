"""A workbench process that saves findings without pause and says which ones were saved.

Run by test_crash.py, which kills it with SIGKILL mid-stream. Each line on stdout is one
save the core acknowledged (the call returned): the examiner, the finding's text and the
assessment's new version.
"""

import json
import sys

from scoring.assessment import individual as assessments
from scoring.core.store import Store
from scoring.year.framework import load_framework
from workbench_tools import load

store = Store(sys.argv[1])
round_number = sys.argv[2]
people = load.existing(store) or load.prepare(store, 5)
area = load_framework(load.YEAR).areas[0].code
print(json.dumps({"ready": True}), flush=True)
n = 0
while True:
    session = people[n % len(people)]
    version = assessments.own_assessment(store, session.user, session.contribution_id).version
    text = f"Runda {round_number} sparning {n}"
    version = assessments.add_finding(store, session.user, session.contribution_id, version, area_code=area,
                                      kind="styrka", text=text)
    print(json.dumps({"email": session.user.email, "text": text, "version": version}), flush=True)
    n += 1
