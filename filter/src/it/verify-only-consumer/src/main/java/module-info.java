/** A verify-only application: it reads tokens through the servlet filter and nothing else of Gatehouse's. */
module dev.gatehouse.it.consumer {
    requires dev.gatehouse.filter;

    exports dev.gatehouse.it.consumer;
}
