package io.k8s4claw.bridge.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ReplySink} that records every call as a line ("start", "delta:&lt;text&gt;", "final:&lt;text&gt;",
 * "error:&lt;code&gt;:&lt;text&gt;", "typing", "approval:&lt;id&gt;:&lt;choices&gt;:&lt;text&gt;") and checks the sink
 * contract as it goes: nothing after a terminal call, deltas cumulative, calls never concurrent.
 */
public final class RecordingSink implements ReplySink {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile boolean terminal;
    private volatile String lastDelta = "";
    private volatile String lastApprovalId;
    private final Object gate = new Object();
    private boolean inCall;

    private void record(String e, boolean isTerminal) {
        synchronized (gate) {
            if (inCall) {
                violations.add("concurrent call: " + e);
            }
            inCall = true;
        }
        try {
            if (terminal) {
                violations.add("call after terminal: " + e);
            }
            events.add(e);
            if (isTerminal) {
                terminal = true;
            }
        } finally {
            synchronized (gate) {
                inCall = false;
            }
        }
    }

    @Override
    public void onStart() {
        record("start", false);
    }

    @Override
    public void onDelta(String textSoFar) {
        if (!textSoFar.startsWith(lastDelta)) {
            violations.add("delta not cumulative: '" + lastDelta + "' then '" + textSoFar + "'");
        }
        lastDelta = textSoFar;
        record("delta:" + textSoFar, false);
    }

    @Override
    public void onFinal(String text) {
        record("final:" + text, true);
    }

    @Override
    public void onError(String code, String userVisibleText) {
        record("error:" + code + ":" + userVisibleText, true);
    }

    @Override
    public void onTyping() {
        record("typing", false);
    }

    @Override
    public void onApprovalRequest(String approvalId, String text, List<String> choices) {
        lastApprovalId = approvalId;
        record("approval:" + approvalId + ":" + String.join("/", choices) + ":" + text, false);
    }

    public List<String> events() {
        return new ArrayList<>(events);
    }

    /** Events other than typing (tool calls add those at timing-dependent places). */
    public List<String> eventsWithoutTyping() {
        return events.stream().filter(e -> !e.equals("typing")).toList();
    }

    public boolean terminal() {
        return terminal;
    }

    public String lastApprovalId() {
        return lastApprovalId;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public long count(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).count();
    }
}
