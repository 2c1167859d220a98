package dev.usher.app.http;

/** The sizes past which a request is refused: 414, 431 and 413 respectively. */
public record HttpLimits(int maxInitialLineBytes, int maxHeaderBytes, int maxRequestBytes) {}
