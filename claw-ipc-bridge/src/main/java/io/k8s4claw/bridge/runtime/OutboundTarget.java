package io.k8s4claw.bridge.runtime;

import java.util.Objects;

/**
 * The chat a proactive message goes to.
 *
 * @param channelName    the ClawChannel's name, or {@code null} when the runtime only knows the platform (e.g. a
 *                       relay cron delivery after a restart): the router then picks the pod's single channel of
 *                       {@code channelType} and fails with {@link OutboundException} code {@code unknown_channel}
 *                       when there is none or more than one
 * @param channelType    slack, discord, telegram, webhook ... (required when {@code channelName} is null)
 * @param conversationId the platform chat id; never empty
 * @param threadId       thread within the conversation, empty when none
 */
public record OutboundTarget(String channelName, String channelType, String conversationId, String threadId) {
    public OutboundTarget {
        if ((channelName == null || channelName.isEmpty()) && (channelType == null || channelType.isEmpty())) {
            throw new IllegalArgumentException("outbound target: channelName or channelType is required");
        }
        if (conversationId == null || conversationId.isEmpty()) {
            throw new IllegalArgumentException("outbound target: conversationId must not be empty");
        }
        threadId = Objects.requireNonNullElse(threadId, "");
    }
}
