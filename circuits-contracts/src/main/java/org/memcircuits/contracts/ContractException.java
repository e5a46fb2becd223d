package org.memcircuits.contracts;

/** An event that does not match its contract; the message names the event and the field. */
public class ContractException extends RuntimeException {
    public ContractException(String message) {
        super(message);
    }

    public ContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
