import json

from backend.core.json_body import TOO_DEEP, clip_deep_json, json_depth


def test_values_deeper_than_the_limit_become_the_too_deep_marker():
    text = json.dumps({"ops": [{"a": 1}, {"b": "@"}]}).replace('"@"', "[" * 10 + "]" * 10)
    clipped = json.loads(clip_deep_json(text, max_depth=4))
    assert clipped["ops"][0] == {"a": 1}
    assert clipped["ops"][1]["b"] == [TOO_DEEP]
    assert json_depth(clipped) == 4


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"note": "[[[[[[{{{{", "x": ['a"]]]"b\\']})
    assert clip_deep_json(text, max_depth=2) == text


def test_a_shallow_body_is_unchanged():
    text = '{"a": [1, {"b": [2]}], "c": "}"}'
    assert clip_deep_json(text, max_depth=4) == text


def test_malformed_text_stays_malformed():
    text = '{"ops": [[[[[['
    try:
        json.loads(clip_deep_json(text, max_depth=2))
    except ValueError:
        return
    raise AssertionError("clipping made malformed JSON readable")
