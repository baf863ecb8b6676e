"""Merge the rendered Hermes config into $HERMES_HOME/config.yaml (k8s4claw hermesclaw adapter).

usage: merge_config.py DeepMerge|Overwrite|Passthrough RENDERED TARGET

Same rules as io.k8s4claw.api.runtime.MergeMode, with the file on the volume as the base and the rendered
config as the overlay:
  DeepMerge    mappings merge recursively, lists and scalars of the rendered config replace, null removes
  Overwrite    each top-level key of the rendered config replaces the file's value whole
  Passthrough  the rendered config replaces the file
A file that is not valid YAML (or not a mapping) is kept next to it as config.yaml.invalid and replaced.
The target is replaced atomically.
"""
import os
import sys

import yaml


def deep_merge(base, overlay):
    result = dict(base)
    for key, value in overlay.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def overwrite(base, overlay):
    result = dict(base)
    for key, value in overlay.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def merge(mode, base, overlay):
    if mode == "DeepMerge":
        return deep_merge(base, overlay)
    if mode == "Overwrite":
        return overwrite(base, overlay)
    if mode == "Passthrough":
        return dict(overlay)
    raise SystemExit("unknown merge mode %r (expected DeepMerge, Overwrite or Passthrough)" % mode)


def load_mapping(path):
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("top level is a %s, not a mapping" % type(data).__name__)
    return data


def main(argv):
    if len(argv) != 4:
        raise SystemExit(__doc__)
    mode, rendered_path, target = argv[1], argv[2], argv[3]
    rendered = load_mapping(rendered_path)
    current = {}
    if os.path.exists(target):
        try:
            current = load_mapping(target)
        except (yaml.YAMLError, ValueError) as e:
            print("[k8s4claw-init] %s is not a valid config (%s); kept as %s.invalid and replaced"
                  % (target, str(e).splitlines()[0], target))
            os.replace(target, target + ".invalid")
    merged = merge(mode, current, rendered)
    tmp = target + ".k8s4claw-tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        yaml.safe_dump(merged, f, sort_keys=False, default_flow_style=False, allow_unicode=True)
    os.replace(tmp, target)
    print("[k8s4claw-init] %s: %s applied (%d top-level keys)" % (target, mode, len(merged)))


if __name__ == "__main__":
    main(sys.argv)
