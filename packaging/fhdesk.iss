; Inno Setup 6 script: an installer of the one-folder build (dist\FamilyHealthDesk, packaging/fhdesk.spec).
; Built by .github/workflows/windows.yml, or by hand: ISCC.exe /DAppVersion=0.1.0 packaging\fhdesk.iss
; (docs/windows-build.md). Installs for the current user (no administrator needed); the village's data stays
; in %LOCALAPPDATA%\FamilyHealthDesk and is never touched by installing, upgrading or uninstalling.
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6E1D2C54-3B7A-4B8E-9E55-2A1F0C9D7B31}
AppName=家庭健康服务台 Family Health Desk
AppVersion={#AppVersion}
AppPublisher=Family Health Desk
DefaultDirName={autopf}\FamilyHealthDesk
DefaultGroupName=家庭健康服务台
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=FamilyHealthDesk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
UninstallDisplayIcon={app}\FamilyHealthDesk.exe

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\FamilyHealthDesk\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[InstallDelete]
; an upgrade replaces the whole program folder (never the data folder)
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\家庭健康服务台"; Filename: "{app}\FamilyHealthDesk.exe"
Name: "{group}\演示村 (demo village)"; Filename: "{app}\FamilyHealthDesk.exe"; Parameters: "--demo"
Name: "{group}\第三方软件声明 (third-party notices)"; Filename: "{app}\THIRD_PARTY_NOTICES.txt"
Name: "{autodesktop}\家庭健康服务台"; Filename: "{app}\FamilyHealthDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\FamilyHealthDesk.exe"; Description: "{cm:LaunchProgram,家庭健康服务台}"; Flags: nowait postinstall skipifsilent
