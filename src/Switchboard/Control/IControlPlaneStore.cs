using Switchboard.Agents;
using Switchboard.Common;

namespace Switchboard.Control;

/// <summary>What the control plane's start-up (<see cref="ControlPlaneBootstrap"/>) needs: the schema, teams, endpoints and settings.</summary>
internal interface IControlPlaneStore : IDatabase, ITeamStore, IEndpointStore, ISettingStore;
