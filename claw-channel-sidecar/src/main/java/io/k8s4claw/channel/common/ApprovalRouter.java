package io.k8s4claw.channel.common;

import io.k8s4claw.api.bus.v1.ApprovalRequest;
import io.k8s4claw.api.bus.v1.Sender;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Approval requests are posted as a question listing the choices; the next user message in that
 * conversation/thread that is exactly one of the choices is taken as the answer (sent as an
 * ApprovalAnswer instead of a new user message).
 */
public final class ApprovalRouter {
    public record Pending(String streamId, String approvalId, List<String> choices) {}

    public record Answer(String streamId, String approvalId, String choice, Sender sender) {}

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private static String key(String conversationId, String threadId) {
        return conversationId + '\u0000' + (threadId == null ? "" : threadId);
    }

    public void asked(String conversationId, String threadId, String streamId, ApprovalRequest request) {
        List<String> choices =
                request.getChoicesCount() > 0 ? request.getChoicesList() : List.of("once", "session", "always", "deny");
        pending.put(key(conversationId, threadId), new Pending(streamId, request.getApprovalId(), choices));
    }

    /** The answer, when {@code text} answers a pending question in that conversation (consumed). */
    public Optional<Answer> answer(String conversationId, String threadId, String text, Sender sender) {
        String k = key(conversationId, threadId);
        Pending p = pending.get(k);
        if (p == null || text == null) return Optional.empty();
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (String choice : p.choices()) {
            if (choice.toLowerCase(Locale.ROOT).equals(t)) {
                pending.remove(k, p);
                return Optional.of(new Answer(p.streamId(), p.approvalId(), choice, sender));
            }
        }
        return Optional.empty();
    }

    public static String question(ApprovalRequest request) {
        List<String> choices =
                request.getChoicesCount() > 0 ? request.getChoicesList() : List.of("once", "session", "always", "deny");
        return request.getText() + "\n\nReply with one of: " + String.join(", ", choices);
    }
}
