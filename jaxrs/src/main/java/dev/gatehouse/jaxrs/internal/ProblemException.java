package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.web.Problem;

/** A request that ends in a problem response, thrown from inside the resources. */
public final class ProblemException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final String challenge;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, String challenge) {
        super(problem.title());
        this.problem = problem;
        this.challenge = challenge;
    }

    public Problem problem() {
        return problem;
    }

    public String challenge() {
        return challenge;
    }
}
