package dev.usher.connection;

/**
 * A connection's last handler that ends every error reaching it itself, through {@link
 * ConnectionErrorHandler#closeAfter} or its protocol's own answer: usher adds no error handler
 * after it, one pipeline context (64 bytes) less on every connection.
 */
public interface OwnsErrors {}
