package io.k8s4claw.bridge.delivery;

/** A bus message's identity: message ids are unique per channel only. */
public record MessageKey(String channel, String messageId) {

    public MessageKey {
        java.util.Objects.requireNonNull(channel, "channel");
        java.util.Objects.requireNonNull(messageId, "messageId");
    }

    // Written out: the record's generated hashCode and equals (method-handle based) cost several times as much on
    // the bridge's hot path, where every message's key goes through a few map operations (JFR: 3-5 % of the
    // event loop under relay load, in HashMap.hash).
    @Override
    public int hashCode() {
        return 31 * channel.hashCode() + messageId.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageKey k && messageId.equals(k.messageId) && channel.equals(k.channel);
    }
}
