package dev.usher.config;

/**
 * Socket options applied to the listener ({@code reuseAddress}) and to every accepted connection.
 */
public record SocketOptionsConfig(boolean tcpNoDelay, boolean keepAlive, boolean reuseAddress) {}
