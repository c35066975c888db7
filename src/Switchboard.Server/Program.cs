return await Switchboard.Server.GatewayApp.RunAsync(args);
