namespace Switchboard.Cli.Admin;

/// <summary>One page of deliveries, newest first.</summary>
internal sealed record DeliveryList(IReadOnlyList<DeliveryView> Deliveries, Pagination Pagination);
