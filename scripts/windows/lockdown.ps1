<#
.SYNOPSIS
  Locks a Windows terminal down to the JPKI kiosk (docs/DEPLOY.md).

.DESCRIPTION
  Run once as an administrator after the installer, in Windows PowerShell 5.1:

    powershell -ExecutionPolicy Bypass -File "C:\Program Files\JPKI Kiosk\lockdown.ps1"

  It
   1. creates the kiosk account (a standard local user) if it does not exist,
   2. gives it, and Administrators only, the data directory (icacls),
   3. makes the kiosk the account's only program:
        - Windows Enterprise / Education / IoT Enterprise: Shell Launcher v2,
          jpki-kiosk.exe is the shell and is restarted whenever it exits;
        - Windows Pro: Assigned Access multi-app kiosk, jpki-kiosk.exe the only
          allowed app, launched automatically at sign-in (no restart on exit:
          its tile stays on the restricted Start screen),
   4. signs the account in automatically (password kept as an LSA secret, not
      in the registry in clear),
   5. turns edge swipes and the touch (on-screen) keyboard off, keeps the
      Smart Card service on automatic start and the screen and PC awake.

  Settings not given on the command line come from what the installer wrote
  to HKLM:\Software\JPKI Kiosk (InstallDir, DataDir, Profile, KioskUser).
  -Undo removes the shell / kiosk configuration and the auto sign-in (the
  account and the data directory stay). -WhatIf shows what would change.

.EXAMPLE
  .\lockdown.ps1                       # account from the installer, asks for its password
.EXAMPLE
  .\lockdown.ps1 -KioskUser kiosk1 -Mode AssignedAccess -Password (Read-Host -AsSecureString)
.EXAMPLE
  .\lockdown.ps1 -Undo
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$KioskUser,
    [securestring]$Password,
    [ValidateSet('Auto', 'ShellLauncher', 'AssignedAccess')]
    [string]$Mode = 'Auto',
    [string]$InstallDir,
    [string]$DataDir,
    [string]$KioskProfile,
    [switch]$NoAutoLogon,
    [switch]$Undo
)

Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'

$RegKey = 'HKLM:\Software\JPKI Kiosk'
$ShellProfileId = '{5B7A3F1E-4C2D-4E8A-9B1F-6A2E7C3D9F10}'   # fixed: -Undo finds it again
$AssignedAccessProfileId = '{8D3C1B2A-7E6F-4A5B-9C8D-1E2F3A4B5C6D}'

function Assert-Admin {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    $p = New-Object Security.Principal.WindowsPrincipal($id)
    if (-not $p.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'lockdown.ps1 must run as an administrator (Run as administrator).'
    }
}

function Get-Setting([string]$Given, [string]$Name, [string]$Default) {
    if ($Given) { return $Given }
    $item = Get-ItemProperty -Path $RegKey -ErrorAction SilentlyContinue
    if ($item -and ($item.PSObject.Properties.Name -contains $Name) -and $item.$Name) { return $item.$Name }
    if ($Default) { return $Default }
    throw "No $Name given and none in $RegKey (run the installer first)."
}

# Windows edition: Shell Launcher needs Enterprise, Education or IoT Enterprise.
function Get-KioskMode {
    if ($Mode -ne 'Auto') { return $Mode }
    $edition = (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion').EditionID
    Write-Host "Windows edition: $edition"
    switch -Regex ($edition) {
        '^(Enterprise|EnterpriseS|Education|IoTEnterprise|IoTEnterpriseS)$' { return 'ShellLauncher' }
        '^(Professional|ProfessionalEducation|ProfessionalWorkstation)$' { return 'AssignedAccess' }
        default { throw "Edition $edition has neither Shell Launcher nor Assigned Access multi-app kiosk (Home?): use Pro, Enterprise or IoT Enterprise." }
    }
}

function New-KioskAccount([string]$Name, [securestring]$Pw) {
    $u = Get-LocalUser -Name $Name -ErrorAction SilentlyContinue
    if ($u) {
        Write-Host "Kiosk account $Name exists."
        return
    }
    if ($PSCmdlet.ShouldProcess($Name, 'Create local standard user')) {
        New-LocalUser -Name $Name -Password $Pw -FullName 'JPKI Kiosk' -Description 'Runs the JPKI certificate kiosk' `
            -PasswordNeverExpires -UserMayNotChangePassword -AccountNeverExpires | Out-Null
        Add-LocalGroupMember -SID 'S-1-5-32-545' -Member $Name   # Users, whatever the display language
        Write-Host "Created kiosk account $Name."
    }
}

function Set-DataDirAcl([string]$Dir, [string]$Name) {
    if ($PSCmdlet.ShouldProcess($Dir, "Only $Name and Administrators")) {
        New-Item -ItemType Directory -Force -Path $Dir | Out-Null
        & icacls.exe $Dir /inheritance:r /grant:r '*S-1-5-32-544:(OI)(CI)F' "${Name}:(OI)(CI)M" /T /C /Q | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "icacls on $Dir failed ($LASTEXITCODE)" }
        & icacls.exe $Dir /remove:g '*S-1-5-18' '*S-1-5-32-545' '*S-1-1-0' '*S-1-5-11' /T /C /Q | Out-Null
        Write-Host "Data directory ${Dir}: $Name (modify) and Administrators (full) only."
    }
}

# Runs a script block as SYSTEM through a one-shot scheduled task and waits.
function Invoke-AsSystem([string]$Script) {
    $name = 'JPKI Kiosk lockdown (one-shot)'
    $log = Join-Path $env:SystemRoot 'Temp\jpki-kiosk-lockdown.log'   # SYSTEM's and ours alike
    Remove-Item $log -ErrorAction SilentlyContinue
    $wrapped = "try { & {`n$Script`n} *> '$log'; exit 0 } catch { `$_ | Out-File -Append '$log'; exit 1 }"
    $enc = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($wrapped))
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -NonInteractive -EncodedCommand $enc"
    Register-ScheduledTask -TaskName $name -Action $action -User 'SYSTEM' -RunLevel Highest -Force | Out-Null
    try {
        Start-ScheduledTask -TaskName $name
        do { Start-Sleep -Milliseconds 500 } while ((Get-ScheduledTask -TaskName $name).State -eq 'Running')
        $result = (Get-ScheduledTaskInfo -TaskName $name).LastTaskResult
        if (Test-Path $log) { Get-Content $log | Write-Host }
        if ($result -ne 0) { throw "MDM bridge call as SYSTEM failed ($result); see $log." }
    } finally {
        Unregister-ScheduledTask -TaskName $name -Confirm:$false
    }
}

function Set-ShellLauncher([string]$Name, [string]$Command) {
    $feature = Get-WindowsOptionalFeature -Online -FeatureName 'Client-EmbeddedShellLauncher'
    if ($feature.State -ne 'Enabled' -and $PSCmdlet.ShouldProcess('Client-EmbeddedShellLauncher', 'Enable feature')) {
        Enable-WindowsOptionalFeature -Online -FeatureName 'Client-EmbeddedShellLauncher' -All -NoRestart | Out-Null
    }
    # Shell Launcher v2: the kiosk is the shell of $Name only; explorer for
    # everyone else (administrators). Any exit code restarts the kiosk.
    $xml = @"
<?xml version="1.0" encoding="utf-8"?>
<ShellLauncherConfiguration xmlns="http://schemas.microsoft.com/ShellLauncher/2018/Configuration"
    xmlns:V2="http://schemas.microsoft.com/ShellLauncher/2019/Configuration">
  <Profiles>
    <DefaultProfile>
      <Shell Shell="%SystemRoot%\explorer.exe"/>
    </DefaultProfile>
    <Profile Id="$ShellProfileId">
      <Shell Shell="$([Security.SecurityElement]::Escape($Command))" V2:AppType="Desktop" V2:AllAppsFullScreen="true">
        <DefaultAction Action="RestartShell"/>
      </Shell>
    </Profile>
  </Profiles>
  <Configs>
    <Config>
      <Account Name="$Name"/>
      <Profile Id="$ShellProfileId"/>
    </Config>
  </Configs>
</ShellLauncherConfiguration>
"@
    Set-MdmProperty 'ShellLauncher' $xml
    Write-Host "Shell Launcher v2: $Name's shell is the kiosk, restarted on exit."
}

function Set-AssignedAccess([string]$Name, [string]$Exe, [string]$KioskArgs) {
    # Multi-app kiosk with one allowed app, launched at sign-in (Windows 11 22H2+ Pro).
    $xml = @"
<?xml version="1.0" encoding="utf-8"?>
<AssignedAccessConfiguration xmlns="http://schemas.microsoft.com/AssignedAccess/2017/config"
    xmlns:rs5="http://schemas.microsoft.com/AssignedAccess/201810/config"
    xmlns:win11="http://schemas.microsoft.com/AssignedAccess/2022/config">
  <Profiles>
    <Profile Id="$AssignedAccessProfileId">
      <AllAppsList>
        <AllowedApps>
          <App DesktopAppPath="$([Security.SecurityElement]::Escape($Exe))" rs5:AutoLaunch="true" rs5:AutoLaunchArguments="$([Security.SecurityElement]::Escape($KioskArgs))"/>
        </AllowedApps>
      </AllAppsList>
      <win11:StartPins><![CDATA[{"pinnedList":[{"desktopAppLink":"%ALLUSERSPROFILE%\\Microsoft\\Windows\\Start Menu\\Programs\\JPKI Kiosk\\JPKI Kiosk.lnk"}]}]]></win11:StartPins>
      <Taskbar ShowTaskbar="false"/>
    </Profile>
  </Profiles>
  <Configs>
    <Config>
      <Account>$Name</Account>
      <DefaultProfile Id="$AssignedAccessProfileId"/>
    </Config>
  </Configs>
</AssignedAccessConfiguration>
"@
    Set-MdmProperty 'Configuration' $xml
    Write-Host "Assigned Access: $Name may run the kiosk only; it starts at sign-in."
}

function Set-MdmProperty([string]$Property, [string]$Value) {
    if (-not $PSCmdlet.ShouldProcess("MDM_AssignedAccess.$Property", 'Set')) { return }
    # The MDM bridge takes the XML HTML-encoded (Microsoft's examples use
    # HtmlEncode); encoded, it has no single quote left to break the literal.
    $encoded = [Net.WebUtility]::HtmlEncode($Value)
    Invoke-AsSystem @"
`$ErrorActionPreference = 'Stop'
`$o = Get-CimInstance -Namespace 'root\cimv2\mdm\dmmap' -ClassName 'MDM_AssignedAccess'
`$o.$Property = '$encoded'
Set-CimInstance -CimInstance `$o
"@
}

function Set-AutoLogon([string]$Name, [securestring]$Pw) {
    if (-not $PSCmdlet.ShouldProcess($Name, 'Automatic sign-in')) { return }
    $winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
    Set-ItemProperty $winlogon -Name AutoAdminLogon -Value '1'
    Set-ItemProperty $winlogon -Name DefaultUserName -Value $Name
    Set-ItemProperty $winlogon -Name DefaultDomainName -Value $env:COMPUTERNAME
    Remove-ItemProperty $winlogon -Name DefaultPassword -ErrorAction SilentlyContinue
    $plain = [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($Pw))
    try { Set-LsaSecret 'DefaultPassword' $plain } finally { $plain = $null }
    Write-Host "Automatic sign-in as $Name (password stored as an LSA secret)."
}

# Winlogon reads the auto sign-in password from the LSA secret DefaultPassword
# (as Sysinternals Autologon stores it), so it is not in the registry in clear.
function Set-LsaSecret([string]$Key, [string]$Value) {
    if (-not ('JpkiKiosk.Lsa' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace JpkiKiosk {
  public static class Lsa {
    [StructLayout(LayoutKind.Sequential)] struct LSA_UNICODE_STRING { public ushort Length, MaximumLength; public IntPtr Buffer; }
    [StructLayout(LayoutKind.Sequential)] struct LSA_OBJECT_ATTRIBUTES { public int Length; public IntPtr RootDirectory, ObjectName; public uint Attributes; public IntPtr SecurityDescriptor, SecurityQualityOfService; }
    [DllImport("advapi32.dll")] static extern uint LsaOpenPolicy(IntPtr system, ref LSA_OBJECT_ATTRIBUTES attrs, uint access, out IntPtr handle);
    [DllImport("advapi32.dll")] static extern uint LsaStorePrivateData(IntPtr handle, ref LSA_UNICODE_STRING key, ref LSA_UNICODE_STRING data);
    [DllImport("advapi32.dll")] static extern uint LsaStorePrivateData(IntPtr handle, ref LSA_UNICODE_STRING key, IntPtr data);
    [DllImport("advapi32.dll")] static extern uint LsaClose(IntPtr handle);
    [DllImport("advapi32.dll")] static extern uint LsaNtStatusToWinError(uint status);
    static LSA_UNICODE_STRING S(string s) { var u = new LSA_UNICODE_STRING(); u.Buffer = Marshal.StringToHGlobalUni(s); u.Length = (ushort)(s.Length * 2); u.MaximumLength = (ushort)(s.Length * 2 + 2); return u; }
    public static void Store(string key, string value) {
      var attrs = new LSA_OBJECT_ATTRIBUTES(); IntPtr h;
      uint st = LsaOpenPolicy(IntPtr.Zero, ref attrs, 0x00000020 /* POLICY_CREATE_SECRET */, out h);
      if (st != 0) throw new System.ComponentModel.Win32Exception((int)LsaNtStatusToWinError(st));
      try {
        var k = S(key);
        if (string.IsNullOrEmpty(value)) st = LsaStorePrivateData(h, ref k, IntPtr.Zero);   // delete
        else { var d = S(value); st = LsaStorePrivateData(h, ref k, ref d); Marshal.ZeroFreeGlobalAllocUnicode(d.Buffer); }
        Marshal.FreeHGlobal(k.Buffer);
        if (st != 0) throw new System.ComponentModel.Win32Exception((int)LsaNtStatusToWinError(st));
      } finally { LsaClose(h); }
    }
  }
}
'@
    }
    [JpkiKiosk.Lsa]::Store($Key, $Value)
}

# Sets a value in the default user's hive, which new profiles (the kiosk
# account's first sign-in) start from.
function Set-DefaultUserValue([string]$SubKey, [string]$Name, [int]$Value) {
    $hive = Join-Path $env:SystemDrive 'Users\Default\NTUSER.DAT'
    & reg.exe load 'HKU\JpkiKioskDefault' $hive | Out-Null
    if ($LASTEXITCODE -ne 0) { Write-Warning "Could not load $hive"; return }
    try {
        & reg.exe add "HKU\JpkiKioskDefault\$SubKey" /v $Name /t REG_DWORD /d $Value /f | Out-Null
    } finally {
        [GC]::Collect()
        & reg.exe unload 'HKU\JpkiKioskDefault' | Out-Null
    }
}

function Set-TouchLockdown {
    if (-not $PSCmdlet.ShouldProcess('edge swipes, touch keyboard, power', 'Turn off')) { return }
    # Edge swipes (Action Center, task view, app switching) off for every user.
    $edgeUI = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\EdgeUI'
    New-Item -Force -Path $edgeUI | Out-Null
    Set-ItemProperty $edgeUI -Name AllowEdgeSwipe -Type DWord -Value 0
    # The touch keyboard: no automatic pop-up, and its service off (the kiosk
    # has its own keypads). The Ease of Access on-screen keyboard off at sign-in.
    # EnableDesktopModeAutoInvoke is a per-user setting: written to the
    # default profile, so the kiosk account gets it at its first sign-in.
    Set-DefaultUserValue 'Software\Microsoft\TabletTip\1.7' 'EnableDesktopModeAutoInvoke' 0
    foreach ($svc in 'TabletInputService', 'TextInputManagementService') {
        if (Get-Service -Name $svc -ErrorAction SilentlyContinue) {
            Set-Service -Name $svc -StartupType Disabled
            Stop-Service -Name $svc -Force -ErrorAction SilentlyContinue
        }
    }
    $access = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Accessibility'
    Set-ItemProperty $access -Name Configuration -Value '' -ErrorAction SilentlyContinue
    # The Smart Card service on automatic start (the installer does it too).
    & sc.exe config SCardSvr start= auto | Out-Null
    # Screen and PC stay on while plugged in.
    & powercfg.exe /change monitor-timeout-ac 0
    & powercfg.exe /change standby-timeout-ac 0
    Write-Host 'Edge swipes and the touch keyboard off; SCardSvr automatic; no sleep on AC.'
}

function Undo-Lockdown {
    if ($PSCmdlet.ShouldProcess('kiosk configuration', 'Remove')) {
        Invoke-AsSystem @'
$o = Get-CimInstance -Namespace 'root\cimv2\mdm\dmmap' -ClassName 'MDM_AssignedAccess'
$o.ShellLauncher = $null
$o.Configuration = $null
Set-CimInstance -CimInstance $o
'@
        $winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
        Set-ItemProperty $winlogon -Name AutoAdminLogon -Value '0'
        Set-LsaSecret 'DefaultPassword' $null
        Remove-ItemProperty 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\EdgeUI' -Name AllowEdgeSwipe -ErrorAction SilentlyContinue
        Write-Host 'Kiosk shell / Assigned Access and auto sign-in removed; the account and the data stay.'
    }
}

Assert-Admin
if ($Undo) { Undo-Lockdown; return }

$InstallDir = Get-Setting $InstallDir 'InstallDir' $null
$DataDir = Get-Setting $DataDir 'DataDir' (Join-Path $env:ProgramData 'JPKI Kiosk')
$KioskProfile = Get-Setting $KioskProfile 'Profile' 'moriya'
$KioskUser = Get-Setting $KioskUser 'KioskUser' 'kiosk'
$exe = Join-Path $InstallDir 'jpki-kiosk.exe'
if (-not (Test-Path $exe)) { throw "$exe not found: run the installer first." }
$kioskArgs = "-profile `"$KioskProfile`" -data `"$DataDir`""

$chosen = Get-KioskMode
if (-not $Password) {
    $Password = Read-Host -AsSecureString "Password for the kiosk account $KioskUser (new or existing)"
}
New-KioskAccount $KioskUser $Password
Set-DataDirAcl $DataDir $KioskUser
switch ($chosen) {
    'ShellLauncher' { Set-ShellLauncher $KioskUser "`"$exe`" $kioskArgs" }
    'AssignedAccess' { Set-AssignedAccess $KioskUser $exe $kioskArgs }
}
if (-not $NoAutoLogon) { Set-AutoLogon $KioskUser $Password }
Set-TouchLockdown
Write-Host "Done ($chosen). Restart the terminal: it signs in as $KioskUser and starts the kiosk."
