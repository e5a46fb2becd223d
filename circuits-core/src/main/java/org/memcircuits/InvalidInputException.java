package org.memcircuits;

/**
 * Bad input from a user: a file, field, argument or event that is not what was expected. The
 * message names the culprit and what was expected; callers show it as is.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
