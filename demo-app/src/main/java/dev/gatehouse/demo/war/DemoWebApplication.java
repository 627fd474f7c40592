package dev.gatehouse.demo.war;

import dev.gatehouse.demo.DemoContext;
import dev.gatehouse.demo.DemoResources;
import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The same JAX-RS application as on Grizzly, for Jersey's servlet container. The Gatehouse servlet
 * filter authenticates first; the JAX-RS side then uses its principal without verifying again.
 */
public final class DemoWebApplication extends ResourceConfig {
    public DemoWebApplication() {
        DemoContext context = DemoContextListener.current();
        DemoResources.register(this, context.profiles);
        register(GatehouseFeature.builder(context.service)
                .asyncTimeout(context.settings.authTimeout)
                .web(context.web)
                .build());
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }
}
