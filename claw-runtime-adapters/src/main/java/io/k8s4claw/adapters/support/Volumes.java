package io.k8s4claw.adapters.support;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.k8s4claw.api.runtime.DataMount;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.SkillSpec;
import java.util.ArrayList;
import java.util.List;

/** Volume helpers shared by adapters. */
public final class Volumes {

    private Volumes() {}

    public static Volume emptyDir(String name, String medium, String sizeLimit) {
        var b = new VolumeBuilder().withName(name).withNewEmptyDir();
        if (medium != null) {
            b = b.withMedium(medium);
        }
        if (sizeLimit != null) {
            b = b.withSizeLimit(new Quantity(sizeLimit));
        }
        return b.endEmptyDir().build();
    }

    /** The runtime ConfigMap as a volume, files read-only for everyone. */
    public static Volume configMap(String volumeName, String configMapName) {
        return new VolumeBuilder()
                .withName(volumeName)
                .withNewConfigMap()
                .withName(configMapName)
                .withDefaultMode(0444)
                .endConfigMap()
                .build();
    }

    public static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(path)
                .withReadOnly(readOnly ? Boolean.TRUE : null)
                .build();
    }

    /**
     * One read-only projected volume holding every skill as {@code <name>/SKILL.md}: inline skills from the
     * runtime ConfigMap (key {@link #inlineSkillKey}), the others from the ConfigMap key they name.
     */
    public static Volume skills(String volumeName, List<SkillSpec> skills, String runtimeConfigMap) {
        List<VolumeProjection> sources = new ArrayList<>();
        for (var skill : skills) {
            String path = skill.getName() + "/SKILL.md";
            if (skill.getInline() != null) {
                sources.add(new VolumeProjectionBuilder()
                        .withNewConfigMap()
                        .withName(runtimeConfigMap)
                        .addNewItem()
                        .withKey(inlineSkillKey(skill.getName()))
                        .withPath(path)
                        .endItem()
                        .endConfigMap()
                        .build());
            } else if (skill.getConfigMapRef() != null) {
                sources.add(new VolumeProjectionBuilder()
                        .withNewConfigMap()
                        .withName(skill.getConfigMapRef().getName())
                        .addNewItem()
                        .withKey(skill.getConfigMapRef().getKey())
                        .withPath(path)
                        .endItem()
                        .endConfigMap()
                        .build());
            }
        }
        return new VolumeBuilder()
                .withName(volumeName)
                .withNewProjected()
                .withDefaultMode(0444)
                .withSources(sources)
                .endProjected()
                .build();
    }

    /** The runtime ConfigMap key of an inline skill. */
    public static String inlineSkillKey(String skillName) {
        return "skill." + skillName + ".SKILL.md";
    }

    /**
     * Data volumes mounted at their paths. Disabled volumes get an emptyDir stand-in of the same name (added to
     * {@code volumes}) so the runtime still has a writable directory; {@link DataMount#persistent()} tells which.
     */
    public static final class DataLayout {
        private final RenderContext context;
        private final List<DataMount> mounts = new ArrayList<>();
        private final List<Volume> standIns = new ArrayList<>();

        public DataLayout(RenderContext context) {
            this.context = context;
        }

        public DataLayout mount(VolumeRole role, String path) {
            String name = context.names().volumeName(role);
            boolean persistent = Specs.volumeEnabled(context.claw(), role);
            mounts.add(new DataMount(role, name, path, "", persistent));
            if (!persistent && standIns.stream().noneMatch(v -> v.getName().equals(name))) {
                standIns.add(emptyDir(name, null, null));
            }
            return this;
        }

        public List<DataMount> dataMounts() {
            return List.copyOf(mounts);
        }

        public List<Volume> standIns() {
            return List.copyOf(standIns);
        }

        public List<VolumeMount> volumeMounts() {
            return mounts.stream()
                    .map(m -> Volumes.mount(m.volumeName(), m.mountPath(), false))
                    .toList();
        }
    }
}
