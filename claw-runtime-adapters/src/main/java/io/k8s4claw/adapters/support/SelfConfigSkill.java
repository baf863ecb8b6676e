package io.k8s4claw.adapters.support;

import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.SelfConfigureAction;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The skill that tells an agent it may change its own Claw: installed (as SKILL.md, the Agent Skills format Hermes and
 * OpenClaw both read) while {@code spec.selfConfigure.enabled} is true. It explains the {@code ClawSelfConfig} request,
 * what this Claw allows, what is always refused, and how to send it with the pod's mounted ServiceAccount token using
 * only what the runtime's image has: Python's {@code urllib} for Hermes (a Python program), Node's {@code fetch} for
 * OpenClaw (a Node program). No kubectl, no curl needed.
 */
public final class SelfConfigSkill {

    /** Skill directory name; a user skill of the same name wins (the built-in is then left out). */
    public static final String NAME = "claw-self-config";

    /** What the runtime's image can run. */
    public enum Tooling {
        PYTHON,
        NODE
    }

    private SelfConfigSkill() {}

    /** {@code skills} plus the self-config skill when the Claw allows self-configuration. */
    public static List<SkillSpec> withBuiltIn(Claw claw, List<SkillSpec> skills, Tooling tooling) {
        var self = Specs.spec(claw).getSelfConfigure();
        if (self == null
                || !Boolean.TRUE.equals(self.getEnabled())
                || skills.stream().anyMatch(s -> NAME.equals(s.getName()))) {
            return skills;
        }
        List<SkillSpec> all = new ArrayList<>(skills);
        SkillSpec skill = new SkillSpec();
        skill.setName(NAME);
        skill.setInline(content(
                claw.getMetadata().getName(),
                self.getAllowedActions() == null ? List.of() : self.getAllowedActions(),
                tooling));
        all.add(skill);
        return all;
    }

    static String content(String claw, List<SelfConfigureAction> allowed, Tooling tooling) {
        String actions = allowed.isEmpty()
                ? "none (every request will be denied until the owner allows an action)"
                : allowed.stream().map(SelfConfigureAction::wireValue).collect(Collectors.joining(", "));
        return """
                ---
                name: %1$s
                description: Change this agent's own setup (install or remove skills, set runtime config keys, set \
                environment variables) by asking the Kubernetes operator with a ClawSelfConfig request.
                ---
                # Changing your own setup

                You run as the Claw `%2$s` on Kubernetes. You may ask the operator to change it by creating a
                `ClawSelfConfig` object in your namespace. The operator checks it, applies it whole or not at all,
                and restarts your pod with the change when the change needs it. Allowed here: **%3$s**.

                ## The request

                ```json
                {"apiVersion": "claw.prismer.ai/v1alpha1", "kind": "ClawSelfConfig",
                 "metadata": {"generateName": "%2$s-"},
                 "spec": {"clawRef": "%2$s",
                          "addSkills": ["<skill name from the namespace's skill catalog>"],
                          "removeSkills": ["<installed skill name>"],
                          "configPatch": {"<dotted.config.key>": "<value: JSON such as true or 3, else a string>"},
                          "addEnvVars": [{"name": "<NAME>", "value": "<value>"}],
                          "removeEnvVars": ["<NAME>"]}}
                ```

                Use only the groups you need (at least one); at most 10 entries per list. `clawRef` must be
                `%2$s`: the cluster refuses a request that names any other Claw.

                Always denied (status says why, nothing changes): actions not allowed above; skills that are not in
                a skill catalog ConfigMap of the namespace; config keys about credentials, tokens, passwords, auth,
                base URLs or endpoints, and keys the operator pins (the API server binding, generated keys); config
                values the runtime would reject; environment variables that hold credentials or come from a Secret;
                workspace files (write those directly into your workspace instead). A later change by the Claw's
                owner wins over yours; the request's status then shows the condition `Overridden`.

                ## Sending it

                %4$s

                The answer's `metadata.name` is your request. Read its outcome with a GET of
                `/apis/claw.prismer.ai/v1alpha1/namespaces/<namespace>/clawselfconfigs/<name>` (same token):
                `status.phase` is `Pending`, `Applied`, `Denied` or `Failed`, and `status.message` says what was
                done or why not. Applied requests are deleted after an hour.
                """.formatted(NAME, claw, actions, sender(tooling, claw));
    }

    private static String sender(Tooling tooling, String claw) {
        return switch (tooling) {
            case PYTHON -> """
                    With Python's standard library (run it with the image's Python, `/opt/hermes/.venv/bin/python`; \
                    edit `spec`):

                    ```python
                    import json, ssl, urllib.request
                    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
                    ns = open(sa + "/namespace").read().strip()
                    token = open(sa + "/token").read().strip()
                    spec = {"clawRef": "%1$s", "addSkills": ["release-notes"]}
                    body = {"apiVersion": "claw.prismer.ai/v1alpha1", "kind": "ClawSelfConfig",
                            "metadata": {"generateName": "%1$s-"}, "spec": spec}
                    req = urllib.request.Request(
                        "https://kubernetes.default.svc/apis/claw.prismer.ai/v1alpha1/namespaces/%%s/clawselfconfigs" \
                    %% ns,
                        data=json.dumps(body).encode(), method="POST",
                        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
                    ctx = ssl.create_default_context(cafile=sa + "/ca.crt")
                    try:
                        print(json.load(urllib.request.urlopen(req, context=ctx))["metadata"]["name"])
                    except urllib.error.HTTPError as e:
                        print(e.code, json.load(e).get("message"))
                    ```""".formatted(claw);
            case NODE -> """
                    With Node's built-in `fetch` (save as `request.mjs`, edit `spec`, run
                    `NODE_EXTRA_CA_CERTS=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt node request.mjs`):

                    ```js
                    import { readFileSync } from "node:fs";
                    const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
                    const ns = readFileSync(`${sa}/namespace`, "utf8").trim();
                    const token = readFileSync(`${sa}/token`, "utf8").trim();
                    const spec = { clawRef: "%1$s", addSkills: ["release-notes"] };
                    const res = await \
                    fetch(`https://kubernetes.default.svc/apis/claw.prismer.ai/v1alpha1/namespaces/${ns}/\
                    clawselfconfigs`, {
                      method: "POST",
                      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
                      body: JSON.stringify({ apiVersion: "claw.prismer.ai/v1alpha1", kind: "ClawSelfConfig",
                                             metadata: { generateName: "%1$s-" }, spec }),
                    });
                    const answer = await res.json();
                    console.log(res.status, res.ok ? answer.metadata.name : answer.message);
                    ```""".formatted(claw);
        };
    }
}
