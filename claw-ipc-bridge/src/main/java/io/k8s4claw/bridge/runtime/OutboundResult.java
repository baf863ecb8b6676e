package io.k8s4claw.bridge.runtime;

import java.util.List;

/**
 * The platform accepted a proactive message.
 *
 * @param platformMessageIds ids of the platform messages carrying it, in order (several when the text was split);
 *                           never empty
 */
public record OutboundResult(List<String> platformMessageIds) {
    public OutboundResult {
        platformMessageIds = List.copyOf(platformMessageIds);
        if (platformMessageIds.isEmpty()) {
            throw new IllegalArgumentException("outbound result: at least one platform message id is required");
        }
    }

    /** The id later edits should target: the last chunk's (the conservative choice for split messages). */
    public String lastMessageId() {
        return platformMessageIds.get(platformMessageIds.size() - 1);
    }
}
