package dev.gatehouse.auth;

import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.web.Problem;

import java.util.List;

/** A request's fields are invalid: {@code 400} naming each field. Messages are fixed texts. */
public final class ValidationException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem.FieldError> errors;

    public ValidationException(List<Problem.FieldError> errors) {
        super("Invalid fields: " + errors.stream().map(Problem.FieldError::field).toList());
        this.errors = List.copyOf(errors);
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
