package io.k8s4claw.adapters.hermes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.CredentialSpec;
import io.k8s4claw.api.v1alpha1.LocalObjectRef;
import io.k8s4claw.api.v1alpha1.RuntimeType;

class HermesValidationTest {

    /** A valid hermesclaw Claw: model + learning in spec.config, LLM key Secret, no channels. */
    static Claw validClaw() {
        Claw claw = new Claw();
        claw.setMetadata(new ObjectMetaBuilder()
                .withName("hermes-test")
                .withNamespace("default")
                .build());
        ClawSpec spec = new ClawSpec();
        spec.setRuntime(RuntimeType.HERMESCLAW);
        try {
            spec.setConfig(new ObjectMapper().readTree("{\"model\":\"nous-hermes-3\",\"learningEnabled\":true}"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        CredentialSpec credentials = new CredentialSpec();
        LocalObjectRef ref = new LocalObjectRef();
        ref.setName("hermes-api-keys");
        credentials.setSecretRef(ref);
        spec.setCredentials(credentials);
        claw.setSpec(spec);
        return claw;
    }
}
