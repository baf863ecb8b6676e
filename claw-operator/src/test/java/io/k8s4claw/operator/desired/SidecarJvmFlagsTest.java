package io.k8s4claw.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JAVA_TOOL_OPTIONS the operator renders replace the images' own; both must be the flags the sidecars' memory
 * was measured with. The images' flags live in the Jib configuration of their modules.
 */
class SidecarJvmFlagsTest {

    private static final Pattern JIB_FLAGS = Pattern.compile("<JAVA_TOOL_OPTIONS>([^<]+)</JAVA_TOOL_OPTIONS>");

    @Test
    void bridgeFlagsAreTheImagesFlags() throws IOException {
        assertThat(BridgeContainer.JAVA_TOOL_OPTIONS).isEqualTo(imageFlags("claw-ipc-bridge"));
    }

    @Test
    void channelSidecarFlagsAreTheImagesFlags() throws IOException {
        assertThat(ChannelSidecars.JAVA_TOOL_OPTIONS).isEqualTo(imageFlags("claw-channel-sidecar"));
    }

    private static String imageFlags(String module) throws IOException {
        Path pom = Path.of("..", module, "pom.xml");
        Matcher m = JIB_FLAGS.matcher(Files.readString(pom));
        assertThat(m.find())
                .as("%s sets JAVA_TOOL_OPTIONS in its Jib configuration", pom)
                .isTrue();
        return m.group(1).trim();
    }
}
