"""Validate JSON documents against the emitted Metasource JSON Schema.

A consumer outside JavaScript: Debian's python3-jsonschema (4.10 on
bookworm, also newer releases). Reads a JSON request on stdin:

    {"schemaDir": ".../json-schema/input",
     "cases": [{"name": "...", "schema": "metadata-record.json", "instance": {...}}]}

and prints one JSON object per case: {"name", "valid", "errors"}.
"""
import json
import os
import sys

import jsonschema
from jsonschema import Draft202012Validator, Draft7Validator


def load_store(schema_dir):
    store = {}
    by_file = {}
    for root, _dirs, files in os.walk(schema_dir):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                schema = json.load(handle)
            store[schema["$id"]] = schema
            by_file[os.path.relpath(os.path.join(root, name), schema_dir)] = schema
    return store, by_file


def validator_for(schema, store):
    cls = Draft202012Validator if "2020-12" in schema.get("$schema", "") else Draft7Validator
    cls.check_schema(schema)
    # RefResolver is deprecated from jsonschema 4.18 (in favour of the
    # `referencing` package) but is what Debian bookworm's 4.10 offers.
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)


def main():
    request = json.load(sys.stdin)
    store, by_file = load_store(request["schemaDir"])
    validators = {}
    for case in request["cases"]:
        schema_file = case["schema"]
        if schema_file not in by_file:
            raise SystemExit("no schema file %s in %s" % (schema_file, request["schemaDir"]))
        if schema_file not in validators:
            validators[schema_file] = validator_for(by_file[schema_file], store)
        errors = sorted(validators[schema_file].iter_errors(case["instance"]), key=lambda e: list(e.absolute_path))
        print(json.dumps({
            "name": case["name"],
            "valid": not errors,
            "errors": ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:200]) for e in errors[:3]],
        }))


if __name__ == "__main__":
    main()
