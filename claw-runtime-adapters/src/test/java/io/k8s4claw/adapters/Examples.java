package io.k8s4claw.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.validation.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Reads the project's examples (repository root {@code examples/}) as the operator would. */
public final class Examples {

    public static final Path DIR = Paths.get("..", "examples");

    private Examples() {}

    public record Loaded(List<Claw> claws, List<ClawChannel> channels) {
        public Claw claw() {
            if (claws.size() != 1) {
                throw new IllegalStateException("expected one Claw, found " + claws.size());
            }
            return claws.get(0);
        }
    }

    public static Loaded load(String... files) {
        List<Claw> claws = new ArrayList<>();
        List<ClawChannel> channels = new ArrayList<>();
        for (String file : files) {
            try {
                for (JsonNode doc : Manifests.readYamlDocuments(Files.readString(DIR.resolve(file)))) {
                    String kind = doc.path("kind").asText();
                    if ("Claw".equals(kind)) {
                        claws.add(Manifests.bind(doc, Claw.class));
                    } else if ("ClawChannel".equals(kind)) {
                        channels.add(Manifests.bind(doc, ClawChannel.class));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Loaded(claws, channels);
    }

    /** The channels of {@code claw}, in its {@code spec.channels} order. */
    public static List<ClawChannel> channelsOf(Claw claw, List<ClawChannel> available) {
        List<ClawChannel> out = new ArrayList<>();
        if (claw.getSpec().getChannels() == null) {
            return out;
        }
        for (var ref : claw.getSpec().getChannels()) {
            available.stream()
                    .filter(c -> c.getMetadata().getName().equals(ref.getName()))
                    .findFirst()
                    .ifPresent(out::add);
        }
        return out;
    }
}
