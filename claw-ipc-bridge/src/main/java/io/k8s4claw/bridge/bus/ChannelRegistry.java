package io.k8s4claw.bridge.bus;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The live bus connection of each channel name: at most one; a newer registration replaces the older. */
final class ChannelRegistry {

    private final Map<String, BusConnectionHandler> live = new ConcurrentHashMap<>();

    /** Registers {@code conn}; returns the connection it replaces, or null. */
    BusConnectionHandler register(String channel, BusConnectionHandler conn) {
        return live.put(channel, conn);
    }

    void unregister(String channel, BusConnectionHandler conn) {
        live.remove(channel, conn);
    }

    BusConnectionHandler get(String channel) {
        return live.get(channel);
    }

    Collection<BusConnectionHandler> all() {
        return List.copyOf(live.values());
    }

    int size() {
        return live.size();
    }
}
