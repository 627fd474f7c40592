package com.example.warjaxrs;

import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/** The JAX-RS application: Gatehouse's endpoints and the application's resource. */
public class OrdersApplication extends ResourceConfig {
    public OrdersApplication() {
        register(OrderResource.class);
        register(GatehouseFeature.builder(GatehouseSetup.service()).build());
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }
}
