package io.k8s4claw.testkit.openclaw;

import java.net.URI;

/**
 * {@code openclaw.json} documents for tests, as accepted by openclaw 2026.9.6 (docs/openclaw-and-relay-peers.md).
 */
public final class OpenClawConfigs {

    /** The provider/model id the fake model server answers for. */
    public static final String FAKE_MODEL_REF = "fakellm/echo-1";

    private OpenClawConfigs() {}

    /**
     * A local gateway (token auth from {@code OPENCLAW_GATEWAY_TOKEN}, loopback, no UI, no channels, no update
     * checks, no mDNS) whose only model is the OpenAI-compatible server at {@code fakeModelBaseUrl}
     * (e.g. {@code http://127.0.0.1:8099/v1}), with the bootstrap ritual off.
     */
    public static String withFakeModel(URI fakeModelBaseUrl) {
        return """
                {
                  "gateway": {"mode": "local", "bind": "loopback", "auth": {"mode": "token"},
                              "controlUi": {"enabled": false}},
                  "models": {
                    "mode": "merge",
                    "providers": {
                      "fakellm": {
                        "baseUrl": "%s",
                        "apiKey": "fake-local",
                        "api": "openai-completions",
                        "timeoutSeconds": 60,
                        "models": [{"id": "echo-1", "name": "Echo 1", "reasoning": false, "input": ["text"],
                                    "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                                    "contextWindow": 128000, "maxTokens": 4096}]
                      }
                    },
                    "catalogRefresh": {"enabled": false}
                  },
                  "agents": {
                    "defaults": {"model": {"primary": "%s"}, "utilityModel": "%s", "skipBootstrap": true},
                    "entries": {"main": {}}
                  },
                  "update": {"checkOnStart": false},
                  "discovery": {"mdns": {"mode": "off"}}
                }
                """.formatted(fakeModelBaseUrl.toString(), FAKE_MODEL_REF, FAKE_MODEL_REF);
    }
}
