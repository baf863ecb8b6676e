package io.k8s4claw.bridge.runtime.openclaw;

import io.k8s4claw.bridge.runtime.ReplySink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records a run's events in order, as the channel would see them. */
final class RecordingSink implements ReplySink {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onStart() {
        events.add("start");
    }

    @Override
    public void onDelta(String textSoFar) {
        events.add("delta:" + textSoFar);
    }

    @Override
    public void onFinal(String text) {
        events.add("final:" + text);
    }

    @Override
    public void onError(String code, String userVisibleText) {
        events.add("error:" + code + ":" + userVisibleText);
    }

    @Override
    public void onTyping() {
        events.add("typing");
    }

    @Override
    public void onApprovalRequest(String approvalId, String text, List<String> choices) {
        events.add("approval:" + approvalId);
    }

    List<String> terminals() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e.startsWith("final:") || e.startsWith("error:")) {
                out.add(e);
            }
        }
        return out;
    }

    List<String> deltas() {
        return events.stream()
                .filter(e -> e.startsWith("delta:"))
                .map(e -> e.substring(6))
                .toList();
    }
}
