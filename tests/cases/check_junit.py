#!/usr/bin/env python3
"""`rekeysim test --junit` output as a CI server reads it.

Runs the binary on the shipped case library plus one failing case in a
scratch directory, parses the XML with ElementTree and checks that every case
is a <testcase> with its name, that exactly the failing one carries a
<failure> with the expected/actual text, and that the counts add up.
Usage: check_junit.py REKEYSIM CASES_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

binary, cases = sys.argv[1], sys.argv[2]
scratch = tempfile.mkdtemp(prefix="rekeysim_junit_")
try:
    failing = os.path.join(scratch, "failing.yaml")
    with open(failing, "w") as f:
        f.write("name: deliberately wrong <&> expectation\n"
                "peers: {a: {profile: rfc7296}, b: {profile: rfc7296}}\n"
                "script: [rekey_child: a, settle: true]\n"
                "expect: {child_sas: {a: [\"9/9\"]}}\n")
    out = os.path.join(scratch, "results.xml")
    run = subprocess.run([binary, "test", cases, failing, "--junit", out],
                         capture_output=True, text=True)
    assert run.returncode == 1, (run.returncode, run.stderr)
    names_printed = [l[5:] for l in run.stdout.splitlines() if l.startswith(("PASS ", "FAIL "))]
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites", root.tag
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases_xml = suites[0].findall("testcase")
    assert [c.get("name") for c in cases_xml] == names_printed, "testcase names differ from stdout"
    assert len(cases_xml) >= 60, len(cases_xml)
    failed = [c for c in cases_xml if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["deliberately wrong <&> expectation"], failed
    text = failed[0].find("failure").text
    assert "child_sas.a: expected [9/9], got [" in text, text
    assert suites[0].get("tests") == str(len(cases_xml))
    assert suites[0].get("failures") == "1"
    for c in cases_xml:
        assert c.get("classname", "").endswith(".yaml"), c.attrib
    print("ok:", len(cases_xml), "testcases,", len(failed), "failure")
finally:
    shutil.rmtree(scratch)
