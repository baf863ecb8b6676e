package io.k8s4claw.operator.dev;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.Manifests;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.ReferencedSecrets;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.realcluster.KubeletStandIn;
import io.k8s4claw.operator.realcluster.RealCluster;
import io.k8s4claw.operator.reconcile.WritePath;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code bin/claw dev}: the operator doing its real job with no cluster — a local kube-apiserver, etcd and
 * kube-controller-manager (built on first use, see claw-testkit's docs), the CRDs and RBAC from {@code deploy/}, the
 * operator as its ServiceAccount, and the given custom resources applied in a new namespace {@code dev-<n>}. It prints
 * the objects the operator makes and each Claw's phase and conditions as they change. A kubelet stand-in reports pods
 * ready (nothing runs: there is no container runtime here). Secrets the resources reference but that do not exist are
 * created with placeholder values, and it says so. {@code bin/claw dev} reaches it through
 * {@code DevSessionTest#devSession}, the way to the operator's test class path.
 */
public final class DevSession {

    private final PrintStream out;
    private String namespace;

    public DevSession(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs until every Claw is Running (when {@code untilReady}) or until the JVM is stopped; returns true when every
     * Claw reached Running within {@code timeout}.
     */
    public boolean run(List<Path> files, boolean untilReady, Duration timeout)
            throws IOException, InterruptedException {
        List<HasMetadata> resources = new ArrayList<>();
        for (Path file : files) {
            for (JsonNode doc : Manifests.readYamlDocuments(Files.readString(file))) {
                String kind = doc.path("kind").asText();
                resources.add(
                        switch (kind) {
                            case "Claw" -> Serialization.unmarshal(doc.toString(), Claw.class);
                            case "ClawChannel" -> Serialization.unmarshal(doc.toString(), ClawChannel.class);
                            default -> Serialization.unmarshal(doc.toString(), HasMetadata.class);
                        });
            }
        }
        out.println("claw dev: starting kube-apiserver, etcd and kube-controller-manager (the first run builds them, "
                + "~10 min)");
        RealCluster real = RealCluster.prepare(LocalControlPlane.shared());
        out.println("claw dev: control plane up at " + real.plane().serverUrl() + " (kubeconfig "
                + real.plane().adminKubeconfig() + ")");
        namespace = real.newNamespace("dev", "baseline");
        out.println(
                "claw dev: namespace " + namespace + " (Pod Security baseline: Hermes's default root start needs it)");
        try (KubernetesClient admin = real.adminClient();
                KubeletStandIn kubelet = new KubeletStandIn(admin, namespace);
                KubernetesClient operatorClient = real.operatorClient();
                ClawOperator operator = new ClawOperator(
                        new ClawOperator.Settings(
                                operatorClient,
                                RuntimeAdapters.load(),
                                SidecarImages.defaults(),
                                Set.of(namespace),
                                Optional.empty(),
                                Optional.empty(),
                                2,
                                WritePath.SERVER_SIDE_APPLY),
                        new OperatorMetrics())) {
            operator.start();
            out.println("claw dev: operator started (ServiceAccount claw-system/claw-operator, "
                    + "deploy/rbac/cluster-wide.yaml)");
            for (String secret : referencedSecrets(resources)) {
                if (admin.secrets().inNamespace(namespace).withName(secret).get() == null) {
                    admin.resource(new SecretBuilder()
                                    .withNewMetadata()
                                    .withName(secret)
                                    .withNamespace(namespace)
                                    .endMetadata()
                                    .addToStringData("PLACEHOLDER", "dev-placeholder")
                                    .build())
                            .create();
                    out.println(
                            "claw dev: created Secret " + secret + " with a placeholder value (referenced, not found)");
                }
            }
            for (HasMetadata resource : resources) {
                resource.getMetadata().setNamespace(namespace);
                admin.resource(resource).serverSideApply();
                out.println("claw dev: applied " + resource.getKind() + " "
                        + resource.getMetadata().getName());
            }
            return watch(admin, resources, untilReady, timeout);
        }
    }

    static Set<String> referencedSecrets(List<HasMetadata> resources) {
        List<ClawChannel> channels = resources.stream()
                .filter(r -> r instanceof ClawChannel)
                .map(r -> (ClawChannel) r)
                .toList();
        Set<String> names = new LinkedHashSet<>();
        for (HasMetadata r : resources) {
            if (r instanceof Claw claw) {
                names.addAll(ReferencedSecrets.of(claw, channels));
            }
        }
        return names;
    }

    private boolean watch(KubernetesClient admin, List<HasMetadata> resources, boolean untilReady, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> seenObjects = new TreeSet<>();
        List<String> lastStatus = List.of();
        long clawCount = resources.stream().filter(r -> r instanceof Claw).count();
        while (true) {
            Set<String> objects = new TreeSet<>();
            admin.apps()
                    .statefulSets()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("StatefulSet/" + o.getMetadata().getName()));
            admin.services()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("Service/" + o.getMetadata().getName()));
            admin.configMaps().inNamespace(namespace).list().getItems().stream()
                    .filter(o -> !o.getMetadata().getName().equals("kube-root-ca.crt"))
                    .forEach(o -> objects.add("ConfigMap/" + o.getMetadata().getName()));
            admin.secrets()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("Secret/" + o.getMetadata().getName()));
            admin.serviceAccounts().inNamespace(namespace).list().getItems().stream()
                    .filter(o -> !o.getMetadata().getName().equals("default"))
                    .forEach(
                            o -> objects.add("ServiceAccount/" + o.getMetadata().getName()));
            admin.network()
                    .v1()
                    .networkPolicies()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("NetworkPolicy/" + o.getMetadata().getName()));
            admin.pods()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("Pod/" + o.getMetadata().getName()));
            admin.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .forEach(o -> objects.add("PersistentVolumeClaim/"
                            + o.getMetadata().getName() + " (" + o.getStatus().getPhase() + ")"));
            for (String o : objects) {
                if (seenObjects.add(o)) {
                    out.println("  + " + o);
                }
            }
            List<Claw> claws =
                    admin.resources(Claw.class).inNamespace(namespace).list().getItems();
            List<String> status = new ArrayList<>();
            long running = 0;
            for (Claw claw : claws) {
                var s = claw.getStatus();
                String phase =
                        s == null || s.getPhase() == null ? "-" : s.getPhase().wireValue();
                running += "Running".equals(phase) ? 1 : 0;
                StringBuilder line =
                        new StringBuilder("  Claw " + claw.getMetadata().getName() + ": " + phase);
                if (s != null && s.getConditions() != null) {
                    s.getConditions()
                            .forEach(c -> line.append(" ")
                                    .append(c.getType())
                                    .append('=')
                                    .append(c.getStatus())
                                    .append(
                                            "False".equals(c.getStatus()) && c.getMessage() != null
                                                    ? " (" + c.getMessage() + ")"
                                                    : ""));
                }
                status.add(line.toString());
            }
            if (!status.equals(lastStatus)) {
                status.forEach(out::println);
                lastStatus = status;
            }
            if (untilReady && running == clawCount) {
                out.println("claw dev: every Claw is Running");
                return true;
            }
            if (System.nanoTime() > deadline) {
                out.println("claw dev: not every Claw is Running after " + timeout.toSeconds() + " s");
                return false;
            }
            Thread.sleep(500);
        }
    }
}
