namespace LicenseManager.Core.Domain;

/// <summary>License Status, in the guide's words.</summary>
public enum LicenseStatus
{
    Trial = 0,
    Active = 1,
    Suspended = 2,
    Uninstalled = 3,
}

/// <summary>Org Status: the status of the installer's org.</summary>
public enum OrgStatus
{
    Trial = 0,
    Active = 1,
    Free = 2,
}
