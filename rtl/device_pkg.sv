// The fixed-point device model shared by the chip core's units: the cell word, the device
// constants and the device arithmetic, bit-exact with hil/device/fixed_point.py
// (FixedPointArray). cmd_exec (READ, PULSE, reset walker) and program_engine (PROGRAM) both use
// these functions, so the two paths cannot drift apart.
//
// The block between the GENERATED markers is written by `python -m hil.device.fixed_point` from
// FixedLuts.from_params(DeviceParams()) (`--check` fails on a stale block; tests/rtl runs it).

package device_pkg;

  localparam longint Sat = 64'sd131072;  // 2^(Q+1): saturation of the Q16 drive products
  localparam longint NoiseRecip = 64'sd443;  // round(2^16 / 148), fixed_point.NOISE_RECIP

  // BEGIN GENERATED DEVICE CONSTANTS (python -m hil.device.fixed_point)
  localparam longint StepSetQ = 64'sd1311;
  localparam longint StepResetQ = 64'sd983;
  localparam longint C2cQ = 64'sd39322;
  localparam longint WriteNoiseCodes = 64'sd524288;
  localparam longint ReadSd0Q = 64'sd327680;
  localparam longint ReadRelQ = 64'sd655;
  localparam longint GMin = 64'sd100;
  localparam longint GMaxNominal = 64'sd4000;
  localparam longint GMaxSigmaQ = 64'sd6554;
  localparam longint CentreSet = 64'sd30;
  localparam longint CentreReset = 64'sd30;
  localparam longint ThresholdSpreadQ = 64'sd655360;
  localparam longint PStuck16 = 64'sd328;
  localparam longint PStuckAtMin8 = 64'sd128;
  localparam longint VBaseSteps = 64'sd100;
  localparam longint TRefK = 64'sd300;
  localparam longint TempMinK = 64'sd250;
  localparam longint DtEffMax = 64'sd281474976710656;
  localparam longint LineNoiseSeed = 64'sd625341585;
  localparam longint LineNoiseFullScale = 64'sd1000000;
  localparam longint StepMultQ [8] = '{
    64'sd30433, 64'sd42057, 64'sd51327, 64'sd60579, 64'sd70899, 64'sd83679,
    64'sd102122, 64'sd141127
  };
  localparam longint Expm1Q [256] = '{
    64'sd0, 64'sd6892, 64'sd14510, 64'sd22928, 64'sd32232, 64'sd42515,
    64'sd53878, 64'sd66437, 64'sd80317, 64'sd95657, 64'sd112609, 64'sd131345,
    64'sd152051, 64'sd174935, 64'sd200226, 64'sd228176, 64'sd259066, 64'sd293205,
    64'sd330934, 64'sd372631, 64'sd418713, 64'sd469642, 64'sd525927, 64'sd588132,
    64'sd656879, 64'sd732856, 64'sd816824, 64'sd909622, 64'sd1012180, 64'sd1125525,
    64'sd1250790, 64'sd1389229, 64'sd1542228, 64'sd1711318, 64'sd1898191, 64'sd2104718,
    64'sd2332966, 64'sd2585219, 64'sd2864001, 64'sd3172103, 64'sd3512608, 64'sd3888925,
    64'sd4304819, 64'sd4764454, 64'sd5272428, 64'sd5833827, 64'sd6454268, 64'sd7139962,
    64'sd7897771, 64'sd8735279, 64'sd9660869, 64'sd10683804, 64'sd11814322, 64'sd13063737,
    64'sd14444555, 64'sd15970594, 64'sd17657129, 64'sd19521038, 64'sd21580976, 64'sd23857559,
    64'sd26373573, 64'sd29154199, 64'sd32227265, 64'sd35623529, 64'sd39376980, 64'sd43525186,
    64'sd48109662, 64'sd53176292, 64'sd58775784, 64'sd64964180, 64'sd71803415, 64'sd79361938,
    64'sd87715399, 64'sd96947400, 64'sd107150340, 64'sd118426332, 64'sd130888230, 64'sd144660758,
    64'sd159881755, 64'sd176703559, 64'sd195294527, 64'sd215840724, 64'sd238547783, 64'sd263642965,
    64'sd291377430, 64'sd322028755, 64'sd355903707, 64'sd393341319, 64'sd434716279, 64'sd480442682,
    64'sd530978172, 64'sd586828527, 64'sd648552714, 64'sd716768491, 64'sd792158584, 64'sd875477522,
    64'sd967559189, 64'sd1069325169, 64'sd1181793972, 64'sd1306091221, 64'sd1443460926, 64'sd1595277930,
    64'sd1763061667, 64'sd1948491373, 64'sd2153422892, 64'sd2379907247, 64'sd2630211170, 64'sd2906839786,
    64'sd3212561687, 64'sd3550436642, 64'sd3923846215, 64'sd4336527617, 64'sd4792611100, 64'sd5296661302,
    64'sd5853722926, 64'sd6469371233, 64'sd7149767837, 64'sd7901722377, 64'sd8732760667, 64'sd9651200016,
    64'sd10666232474, 64'sd11788016829, 64'sd13027780273, 64'sd14397930778, 64'sd15912181268, 64'sd17585686873,
    64'sd19435196599, 64'sd21479220961, 64'sd23738217242, 64'sd26234794235, 64'sd28993938523, 64'sd32043264548,
    64'sd35413290991, 64'sd39137746210, 64'sd43253905802, 64'sd47802965678, 64'sd52830454358, 64'sd58386688638,
    64'sd64527277178, 64'sd71313677052, 64'sd78813808831, 64'sd87102736355, 64'sd96263417997, 64'sd106387536938,
    64'sd117576418762, 64'sd129942045559, 64'sd143608176680, 64'sd158711587357, 64'sd175403437601, 64'sd193850785059,
    64'sd214238256986, 64'sd236769898053, 64'sd261671212496, 64'sd289191421041, 64'sd319605955184, 64'sd353219213806,
    64'sd390367609696, 64'sd431422936487, 64'sd476796089689, 64'sd526941179069, 64'sd582360073536, 64'sd643607424013,
    64'sd711296214569, 64'sd786103897372, 64'sd868779172853, 64'sd960149482960, 64'sd1061129292465, 64'sd1172729241243,
    64'sd1296066259091, 64'sd1432374744339, 64'sd1583018918122, 64'sd1749506477965, 64'sd1933503687324, 64'sd2136852052115,
    64'sd2361586751120, 64'sd2609957004744, 64'sd2884448585963, 64'sd3187808698783, 64'sd3523073473176, 64'sd3893598351690,
    64'sd4303091671848, 64'sd4755651780433, 64'sd5255808051121, 64'sd5808566215979, 64'sd6419458464510, 64'sd7094598811663,
    64'sd7840744288957, 64'sd8665362571115, 64'sd9576706715070, 64'sd10583897759328, 64'sd11697016010387, 64'sd12927201929838,
    64'sd14286767631841, 64'sd15789320106907, 64'sd17449897405234, 64'sd19285119142560, 64'sd21313352834874, 64'sd23554897726680,
    64'sd26032187952666, 64'sd28770017066058, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840
  };
  localparam longint LogTimeQ [192] = '{
    64'sd13, 64'sd16, 64'sd20, 64'sd23, 64'sd26, 64'sd33,
    64'sd39, 64'sd46, 64'sd52, 64'sd66, 64'sd79, 64'sd92,
    64'sd105, 64'sd131, 64'sd157, 64'sd183, 64'sd209, 64'sd262,
    64'sd314, 64'sd366, 64'sd418, 64'sd522, 64'sd626, 64'sd730,
    64'sd834, 64'sd1040, 64'sd1246, 64'sd1452, 64'sd1657, 64'sd2064,
    64'sd2469, 64'sd2872, 64'sd3272, 64'sd4066, 64'sd4849, 64'sd5624,
    64'sd6389, 64'sd7894, 64'sd9364, 64'sd10803, 64'sd12210, 64'sd14938,
    64'sd17556, 64'sd20074, 64'sd22499, 64'sd27095, 64'sd31389, 64'sd35420,
    64'sd39217, 64'sd46208, 64'sd52525, 64'sd58286, 64'sd63581, 64'sd73039,
    64'sd81302, 64'sd88639, 64'sd95237, 64'sd106722, 64'sd116492, 64'sd124992,
    64'sd132515, 64'sd145381, 64'sd156130, 64'sd165362, 64'sd173453, 64'sd187141,
    64'sd198459, 64'sd208106, 64'sd216514, 64'sd230655, 64'sd242279, 64'sd252149,
    64'sd260725, 64'sd275103, 64'sd286888, 64'sd296872, 64'sd305535, 64'sd320035,
    64'sd331901, 64'sd341944, 64'sd350651, 64'sd365213, 64'sd377120, 64'sd387192,
    64'sd395921, 64'sd410514, 64'sd422442, 64'sd432529, 64'sd441269, 64'sd455878,
    64'sd467816, 64'sd477911, 64'sd486656, 64'sd501273, 64'sd513216, 64'sd523315,
    64'sd532063, 64'sd546683, 64'sd558629, 64'sd568730, 64'sd577479, 64'sd592101,
    64'sd604049, 64'sd614150, 64'sd622901, 64'sd637524, 64'sd649471, 64'sd659573,
    64'sd668324, 64'sd682948, 64'sd694896, 64'sd704998, 64'sd713749, 64'sd728373,
    64'sd740321, 64'sd750424, 64'sd759175, 64'sd773798, 64'sd785747, 64'sd795849,
    64'sd804600, 64'sd819224, 64'sd831173, 64'sd841275, 64'sd850026, 64'sd864650,
    64'sd876599, 64'sd886701, 64'sd895452, 64'sd910076, 64'sd922025, 64'sd932127,
    64'sd940878, 64'sd955502, 64'sd967451, 64'sd977553, 64'sd986304, 64'sd1000928,
    64'sd1012877, 64'sd1022979, 64'sd1031731, 64'sd1046354, 64'sd1058303, 64'sd1068405,
    64'sd1077157, 64'sd1091781, 64'sd1103729, 64'sd1113832, 64'sd1122583, 64'sd1137207,
    64'sd1149155, 64'sd1159258, 64'sd1168009, 64'sd1182633, 64'sd1194581, 64'sd1204684,
    64'sd1213435, 64'sd1228059, 64'sd1240007, 64'sd1250110, 64'sd1258861, 64'sd1273485,
    64'sd1285434, 64'sd1295536, 64'sd1304287, 64'sd1318911, 64'sd1330860, 64'sd1340962,
    64'sd1349713, 64'sd1364337, 64'sd1376286, 64'sd1386388, 64'sd1395139, 64'sd1409763,
    64'sd1421712, 64'sd1431814, 64'sd1440565, 64'sd1455189, 64'sd1467138, 64'sd1477240,
    64'sd1485991, 64'sd1500615, 64'sd1512564, 64'sd1522666, 64'sd1531418, 64'sd1546041,
    64'sd1557990, 64'sd1568093, 64'sd1576844, 64'sd1591468, 64'sd1603416, 64'sd1613519
  };
  localparam longint DriftAQ [64] = '{
    64'sd131072, 64'sd131072, 64'sd131072, 64'sd131072, 64'sd98304, 64'sd32768,
    -64'sd32768, -64'sd98304, -64'sd163840, -64'sd229376, -64'sd294912, -64'sd360448,
    -64'sd434176, -64'sd516096, -64'sd598016, -64'sd679936, -64'sd729088, -64'sd745472,
    -64'sd761856, -64'sd778240, -64'sd786432, -64'sd786432, -64'sd786432, -64'sd786432,
    -64'sd794624, -64'sd811008, -64'sd827392, -64'sd843776, -64'sd843776, -64'sd827392,
    -64'sd811008, -64'sd794624, -64'sd794624, -64'sd811008, -64'sd827392, -64'sd843776,
    -64'sd860160, -64'sd876544, -64'sd892928, -64'sd909312, -64'sd917504, -64'sd917504,
    -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504,
    -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504,
    -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504,
    -64'sd917504, -64'sd917504, -64'sd917504, -64'sd917504
  };
  localparam longint DiffusionQ [64] = '{
    64'sd2270234, 64'sd2930859, 64'sd3467839, 64'sd3932160, 64'sd4347166, 64'sd4725868,
    64'sd5076397, 64'sd5404237, 64'sd5589802, 64'sd5647135, 64'sd5703891, 64'sd5760089,
    64'sd5870870, 64'sd6033229, 64'sd6191331, 64'sd6345496, 64'sd6417009, 64'sd6408637,
    64'sd6400254, 64'sd6391860, 64'sd6349725, 64'sd6273168, 64'sd6195665, 64'sd6117181,
    64'sd6046562, 64'sd5984086, 64'sd5920952, 64'sd5857137, 64'sd5783343, 64'sd5699183,
    64'sd5613762, 64'sd5527020, 64'sd5478237, 64'sd5468428, 64'sd5458602, 64'sd5448758,
    64'sd5458602, 64'sd5488029, 64'sd5517298, 64'sd5546414, 64'sd5560914, 64'sd5560914,
    64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914,
    64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914,
    64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914,
    64'sd5560914, 64'sd5560914, 64'sd5560914, 64'sd5560914
  };
  localparam longint IvQ [501] = '{
    64'sd0, 64'sd256, 64'sd512, 64'sd768, 64'sd1024, 64'sd1280,
    64'sd1536, 64'sd1792, 64'sd2048, 64'sd2304, 64'sd2560, 64'sd2816,
    64'sd3072, 64'sd3328, 64'sd3584, 64'sd3840, 64'sd4096, 64'sd4352,
    64'sd4608, 64'sd4864, 64'sd5120, 64'sd5376, 64'sd5632, 64'sd5888,
    64'sd6144, 64'sd6400, 64'sd6656, 64'sd6912, 64'sd7168, 64'sd7424,
    64'sd7680, 64'sd7936, 64'sd8192, 64'sd8448, 64'sd8704, 64'sd8960,
    64'sd9216, 64'sd9472, 64'sd9728, 64'sd9984, 64'sd10240, 64'sd10496,
    64'sd10752, 64'sd11008, 64'sd11264, 64'sd11520, 64'sd11776, 64'sd12032,
    64'sd12288, 64'sd12544, 64'sd12800, 64'sd13056, 64'sd13312, 64'sd13568,
    64'sd13824, 64'sd14080, 64'sd14336, 64'sd14592, 64'sd14848, 64'sd15104,
    64'sd15360, 64'sd15616, 64'sd15872, 64'sd16128, 64'sd16384, 64'sd16640,
    64'sd16896, 64'sd17152, 64'sd17408, 64'sd17664, 64'sd17920, 64'sd18176,
    64'sd18432, 64'sd18688, 64'sd18944, 64'sd19200, 64'sd19456, 64'sd19712,
    64'sd19968, 64'sd20224, 64'sd20480, 64'sd20736, 64'sd20992, 64'sd21248,
    64'sd21504, 64'sd21760, 64'sd22016, 64'sd22272, 64'sd22528, 64'sd22784,
    64'sd23040, 64'sd23296, 64'sd23552, 64'sd23808, 64'sd24064, 64'sd24320,
    64'sd24576, 64'sd24832, 64'sd25088, 64'sd25344, 64'sd25600, 64'sd25856,
    64'sd26112, 64'sd26368, 64'sd26624, 64'sd26880, 64'sd27136, 64'sd27392,
    64'sd27648, 64'sd27904, 64'sd28160, 64'sd28416, 64'sd28672, 64'sd28928,
    64'sd29184, 64'sd29440, 64'sd29696, 64'sd29952, 64'sd30208, 64'sd30464,
    64'sd30720, 64'sd30976, 64'sd31232, 64'sd31488, 64'sd31744, 64'sd32000,
    64'sd32256, 64'sd32512, 64'sd32768, 64'sd33024, 64'sd33280, 64'sd33536,
    64'sd33792, 64'sd34048, 64'sd34304, 64'sd34560, 64'sd34816, 64'sd35072,
    64'sd35328, 64'sd35584, 64'sd35840, 64'sd36096, 64'sd36352, 64'sd36608,
    64'sd36864, 64'sd37120, 64'sd37376, 64'sd37632, 64'sd37888, 64'sd38144,
    64'sd38400, 64'sd38656, 64'sd38912, 64'sd39168, 64'sd39424, 64'sd39680,
    64'sd39936, 64'sd40192, 64'sd40448, 64'sd40704, 64'sd40960, 64'sd41216,
    64'sd41472, 64'sd41728, 64'sd41984, 64'sd42240, 64'sd42496, 64'sd42752,
    64'sd43008, 64'sd43264, 64'sd43520, 64'sd43776, 64'sd44032, 64'sd44288,
    64'sd44544, 64'sd44800, 64'sd45056, 64'sd45312, 64'sd45568, 64'sd45824,
    64'sd46080, 64'sd46336, 64'sd46592, 64'sd46848, 64'sd47104, 64'sd47360,
    64'sd47616, 64'sd47872, 64'sd48128, 64'sd48384, 64'sd48640, 64'sd48896,
    64'sd49152, 64'sd49408, 64'sd49664, 64'sd49920, 64'sd50176, 64'sd50432,
    64'sd50688, 64'sd50944, 64'sd51200, 64'sd51456, 64'sd51712, 64'sd51968,
    64'sd52224, 64'sd52480, 64'sd52736, 64'sd52992, 64'sd53248, 64'sd53504,
    64'sd53760, 64'sd54016, 64'sd54272, 64'sd54528, 64'sd54784, 64'sd55040,
    64'sd55296, 64'sd55552, 64'sd55808, 64'sd56064, 64'sd56320, 64'sd56576,
    64'sd56832, 64'sd57088, 64'sd57344, 64'sd57600, 64'sd57856, 64'sd58112,
    64'sd58368, 64'sd58624, 64'sd58880, 64'sd59136, 64'sd59392, 64'sd59648,
    64'sd59904, 64'sd60160, 64'sd60416, 64'sd60672, 64'sd60928, 64'sd61184,
    64'sd61440, 64'sd61696, 64'sd61952, 64'sd62208, 64'sd62464, 64'sd62720,
    64'sd62976, 64'sd63232, 64'sd63488, 64'sd63744, 64'sd64000, 64'sd64256,
    64'sd64512, 64'sd64768, 64'sd65024, 64'sd65280, 64'sd65536, 64'sd65792,
    64'sd66048, 64'sd66304, 64'sd66560, 64'sd66816, 64'sd67072, 64'sd67328,
    64'sd67584, 64'sd67840, 64'sd68096, 64'sd68352, 64'sd68608, 64'sd68864,
    64'sd69120, 64'sd69376, 64'sd69632, 64'sd69888, 64'sd70144, 64'sd70400,
    64'sd70656, 64'sd70912, 64'sd71168, 64'sd71424, 64'sd71680, 64'sd71936,
    64'sd72192, 64'sd72448, 64'sd72704, 64'sd72960, 64'sd73216, 64'sd73472,
    64'sd73728, 64'sd73984, 64'sd74240, 64'sd74496, 64'sd74752, 64'sd75008,
    64'sd75264, 64'sd75520, 64'sd75776, 64'sd76032, 64'sd76288, 64'sd76544,
    64'sd76800, 64'sd77056, 64'sd77312, 64'sd77568, 64'sd77824, 64'sd78080,
    64'sd78336, 64'sd78592, 64'sd78848, 64'sd79104, 64'sd79360, 64'sd79616,
    64'sd79872, 64'sd80128, 64'sd80384, 64'sd80640, 64'sd80896, 64'sd81152,
    64'sd81408, 64'sd81664, 64'sd81920, 64'sd82176, 64'sd82432, 64'sd82688,
    64'sd82944, 64'sd83200, 64'sd83456, 64'sd83712, 64'sd83968, 64'sd84224,
    64'sd84480, 64'sd84736, 64'sd84992, 64'sd85248, 64'sd85504, 64'sd85760,
    64'sd86016, 64'sd86272, 64'sd86528, 64'sd86784, 64'sd87040, 64'sd87296,
    64'sd87552, 64'sd87808, 64'sd88064, 64'sd88320, 64'sd88576, 64'sd88832,
    64'sd89088, 64'sd89344, 64'sd89600, 64'sd89856, 64'sd90112, 64'sd90368,
    64'sd90624, 64'sd90880, 64'sd91136, 64'sd91392, 64'sd91648, 64'sd91904,
    64'sd92160, 64'sd92416, 64'sd92672, 64'sd92928, 64'sd93184, 64'sd93440,
    64'sd93696, 64'sd93952, 64'sd94208, 64'sd94464, 64'sd94720, 64'sd94976,
    64'sd95232, 64'sd95488, 64'sd95744, 64'sd96000, 64'sd96256, 64'sd96512,
    64'sd96768, 64'sd97024, 64'sd97280, 64'sd97536, 64'sd97792, 64'sd98048,
    64'sd98304, 64'sd98560, 64'sd98816, 64'sd99072, 64'sd99328, 64'sd99584,
    64'sd99840, 64'sd100096, 64'sd100352, 64'sd100608, 64'sd100864, 64'sd101120,
    64'sd101376, 64'sd101632, 64'sd101888, 64'sd102144, 64'sd102400, 64'sd102656,
    64'sd102912, 64'sd103168, 64'sd103424, 64'sd103680, 64'sd103936, 64'sd104192,
    64'sd104448, 64'sd104704, 64'sd104960, 64'sd105216, 64'sd105472, 64'sd105728,
    64'sd105984, 64'sd106240, 64'sd106496, 64'sd106752, 64'sd107008, 64'sd107264,
    64'sd107520, 64'sd107776, 64'sd108032, 64'sd108288, 64'sd108544, 64'sd108800,
    64'sd109056, 64'sd109312, 64'sd109568, 64'sd109824, 64'sd110080, 64'sd110336,
    64'sd110592, 64'sd110848, 64'sd111104, 64'sd111360, 64'sd111616, 64'sd111872,
    64'sd112128, 64'sd112384, 64'sd112640, 64'sd112896, 64'sd113152, 64'sd113408,
    64'sd113664, 64'sd113920, 64'sd114176, 64'sd114432, 64'sd114688, 64'sd114944,
    64'sd115200, 64'sd115456, 64'sd115712, 64'sd115968, 64'sd116224, 64'sd116480,
    64'sd116736, 64'sd116992, 64'sd117248, 64'sd117504, 64'sd117760, 64'sd118016,
    64'sd118272, 64'sd118528, 64'sd118784, 64'sd119040, 64'sd119296, 64'sd119552,
    64'sd119808, 64'sd120064, 64'sd120320, 64'sd120576, 64'sd120832, 64'sd121088,
    64'sd121344, 64'sd121600, 64'sd121856, 64'sd122112, 64'sd122368, 64'sd122624,
    64'sd122880, 64'sd123136, 64'sd123392, 64'sd123648, 64'sd123904, 64'sd124160,
    64'sd124416, 64'sd124672, 64'sd124928, 64'sd125184, 64'sd125440, 64'sd125696,
    64'sd125952, 64'sd126208, 64'sd126464, 64'sd126720, 64'sd126976, 64'sd127232,
    64'sd127488, 64'sd127744, 64'sd128000
  };
  localparam longint RelaxSqrtQ [8] = '{
    64'sd26836, 64'sd35904, 64'sd42954, 64'sd49864, 64'sd57448, 64'sd66689,
    64'sd79783, 64'sd106746
  };
  localparam longint ArrheniusQ [256] = '{
    64'sd6, 64'sd8, 64'sd9, 64'sd12, 64'sd15, 64'sd18,
    64'sd22, 64'sd28, 64'sd34, 64'sd42, 64'sd52, 64'sd64,
    64'sd78, 64'sd96, 64'sd117, 64'sd143, 64'sd174, 64'sd211,
    64'sd257, 64'sd311, 64'sd377, 64'sd456, 64'sd551, 64'sd665,
    64'sd801, 64'sd963, 64'sd1157, 64'sd1389, 64'sd1664, 64'sd1991,
    64'sd2380, 64'sd2841, 64'sd3386, 64'sd4032, 64'sd4795, 64'sd5695,
    64'sd6756, 64'sd8005, 64'sd9474, 64'sd11199, 64'sd13223, 64'sd15596,
    64'sd18373, 64'sd21620, 64'sd25414, 64'sd29840, 64'sd34999, 64'sd41006,
    64'sd47994, 64'sd56112, 64'sd65536, 64'sd76463, 64'sd89122, 64'sd103771,
    64'sd120707, 64'sd140268, 64'sd162838, 64'sd188857, 64'sd218823, 64'sd253302,
    64'sd292937, 64'sd338457, 64'sd390688, 64'sd450567, 64'sd519151, 64'sd597637,
    64'sd687376, 64'sd789893, 64'sd906905, 64'sd1040350, 64'sd1192407, 64'sd1365527,
    64'sd1562466, 64'sd1786317, 64'sd2040551, 64'sd2329061, 64'sd2656207, 64'sd3026870,
    64'sd3446512, 64'sd3921236, 64'sd4457861, 64'sd5063998, 64'sd5748135, 64'sd6519733,
    64'sd7389332, 64'sd8368659, 64'sd9470761, 64'sd10710136, 64'sd12102889, 64'sd13666896,
    64'sd15421984, 64'sd17390132, 64'sd19595685, 64'sd22065595, 64'sd24829678, 64'sd27920900,
    64'sd31375683, 64'sd35234243, 64'sd39540960, 64'sd44344776, 64'sd49699633, 64'sd55664945,
    64'sd62306116, 64'sd69695099, 64'sd77911008, 64'sd87040775, 64'sd97179871, 64'sd108433081,
    64'sd120915350, 64'sd134752694, 64'sd150083191, 64'sd167058048, 64'sd185842761, 64'sd206618364,
    64'sd229582782, 64'sd254952287, 64'sd282963077, 64'sd313872971, 64'sd347963245, 64'sd385540599,
    64'sd426939291, 64'sd472523421, 64'sd522689393, 64'sd577868569, 64'sd638530111, 64'sd705184047,
    64'sd778384552, 64'sd858733480, 64'sd946884147, 64'sd1043545396, 64'sd1149485946, 64'sd1265539057,
    64'sd1392607530, 64'sd1531669052, 64'sd1683781924, 64'sd1850091183, 64'sd2031835149, 64'sd2230352425,
    64'sd2447089372, 64'sd2683608091, 64'sd2941594948, 64'sd3222869664, 64'sd3529395015, 64'sd3863287169,
    64'sd4226826705, 64'sd4622470352, 64'sd5052863486, 64'sd5520853432, 64'sd6029503623, 64'sd6582108652,
    64'sd7182210277, 64'sd7833614438, 64'sd8540409323, 64'sd9306984564, 64'sd10138051611, 64'sd11038665349,
    64'sd12014247040, 64'sd13070608637, 64'sd14213978571, 64'sd15451029064, 64'sd16788905072, 64'sd18235254922,
    64'sd19798262753, 64'sd21486682835, 64'sd23309875877, 64'sd25277847414, 64'sd27401288394, 64'sd29691618060,
    64'sd32161029251, 64'sd34822536240, 64'sd37690025237, 64'sd40778307684, 64'sd44103176481, 64'sd47681465283,
    64'sd51531111019, 64'sd55671219782, 64'sd60122136256, 64'sd64905516846, 64'sd70044406673, 64'sd75563320635,
    64'sd81488328703, 64'sd87847145656, 64'sd94669225456, 64'sd101985860468, 64'sd109830285754, 64'sd118237788657,
    64'sd127245823916, 64'sd136894134551, 64'sd147224878777, 64'sd158282763208, 64'sd170115182615, 64'sd182772366532,
    64'sd196307532990, 64'sd210777049696, 64'sd226240602949, 64'sd242761374641, 64'sd260406227656, 64'sd279245900036,
    64'sd299355208249, 64'sd320813259955, 64'sd343703676630, 64'sd368114826468, 64'sd394140067945, 64'sd421878004499,
    64'sd451432750734, 64'sd482914210617, 64'sd516438368128, 64'sd552127590855, 64'sd590110947003, 64'sd630524536369,
    64'sd673511835771, 64'sd719224059509, 64'sd767820535393, 64'sd819469096938, 64'sd874346492305, 64'sd932638810614,
    64'sd994541926255, 64'sd1060261961854, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776,
    64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776, 64'sd1099511627776
  };
  // END GENERATED DEVICE CONSTANTS

  // ---------------------------------------------------------------------------------------------
  // Cell word and device arithmetic (FixedPointArray)
  // ---------------------------------------------------------------------------------------------

  typedef struct packed {
    logic [63:0] t_write;  // virtual time (us) of the last pulse that moved the cell
    logic [15:0] g;
    logic [15:0] g_prog;
    logic [15:0] g_max;
    logic [15:0] stuck_g;
    logic [5:0]  v_set;
    logic [5:0]  v_reset;
    logic [2:0]  step_level;
    logic [2:0]  relax_level;
    logic        stuck;
    logic        inj;      // FAULT_INJECT STUCK_CELL: pinned at inj_g until CLEAR
    logic [15:0] inj_g;
  } cell_word_t;

  localparam int unsigned WordW = $bits(cell_word_t);

  // The device arithmetic runs on 64-bit signed intermediates like the twin's int64; results are
  // clipped into range before they are truncated to their field widths, so the upper bits of
  // those intermediates are intentionally unused.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic longint clip(longint v, longint lo, longint hi);
    longint r;
    r = v;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return r;
  endfunction

  function automatic longint min64(longint a, longint b);
    return (a < b) ? a : b;
  endfunction

  // scale_noise: (sd * z * 443) >>> 32
  function automatic longint scale_noise(longint sd, longint z);
    return (sd * z * NoiseRecip) >>> 32;
  endfunction

  // One step of Marsaglia's xorshift32 (13, 17, 5), fixed_point.xorshift32.
  function automatic logic [31:0] xorshift32(logic [31:0] x);
    logic [31:0] a, b;
    a = x ^ (x << 13);
    b = a ^ (a >> 17);
    return b ^ (b << 5);
  endfunction

  // Centred Irwin-Hall sum of the four bytes of one xorshift32 value.
  function automatic longint gauss(logic [31:0] v);
    return longint'({56'd0, v[7:0]}) + longint'({56'd0, v[15:8]}) +
           longint'({56'd0, v[23:16]}) + longint'({56'd0, v[31:24]}) - 64'sd510;
  endfunction

  // floor(sqrt(v)), digit by digit.
  function automatic longint isqrt(longint v);
    logic [63:0] x, r, b;
    x = 64'(v);
    r = 64'd0;
    b = 64'd1 << 62;
    for (int i = 0; i < 32; i++) begin
      if (x >= r + b) begin
        x = x - (r + b);
        r = (r >> 1) + b;
      end else begin
        r = r >> 1;
      end
      b = b >> 2;
    end
    return longint'(r);
  endfunction

  function automatic cell_word_t init_word(longint z0, longint z1, longint z2, logic [31:0] raw);
    cell_word_t w;
    longint gmax, vset, vreset, rnd;
    gmax   = clip(GMaxNominal + scale_noise(GMaxNominal * GMaxSigmaQ, z0), GMin + 1, 64'sd65535);
    vset   = clip(CentreSet + scale_noise(ThresholdSpreadQ, z1), 64'sd0, 64'sd63);
    vreset = clip(CentreReset + scale_noise(ThresholdSpreadQ, z2), 64'sd0, 64'sd63);
    rnd    = GMin + ((longint'({56'd0, raw[15:8]}) * (gmax - GMin)) >>> 8);
    w.t_write     = 64'd0;
    w.g           = 16'(GMin);
    w.g_prog      = 16'(GMin);
    w.g_max       = 16'(gmax);
    w.v_set       = 6'(vset);
    w.v_reset     = 6'(vreset);
    w.step_level  = raw[2:0];
    w.relax_level = raw[5:3];
    w.stuck       = longint'({48'd0, raw[31:16]}) < PStuck16;
    w.stuck_g     = (longint'({56'd0, raw[13:6]}) < PStuckAtMin8) ? 16'(GMin) : 16'(rnd);
    w.inj         = 1'b0;
    w.inj_g       = 16'd0;
    return w;
  endfunction

  function automatic cell_word_t pulse_word(cell_word_t w, logic set, longint amp_steps,
                                            longint width_q, longint z0, longint z1,
                                            logic [63:0] now);
    cell_word_t r;
    longint g, gmax, threshold, overdrive, window, alpha, drive, noise, delta, wnoise, new_g;
    logic moves;
    r = w;
    g = longint'({48'd0, w.g});
    gmax = longint'({48'd0, w.g_max});
    threshold = set ? longint'({58'd0, w.v_set}) : longint'({58'd0, w.v_reset});
    overdrive = amp_steps - (threshold + VBaseSteps);
    moves = (overdrive > 0) && !w.stuck && !w.inj;
    window = set ? (gmax - g) : (g - GMin);
    if (window < 0) window = 0;
    alpha = set ? StepSetQ : StepResetQ;
    drive = min64((alpha * StepMultQ[w.step_level]) >>> 16, Sat);
    drive = min64((drive * Expm1Q[8'(clip(overdrive, 64'sd0, 64'sd255))]) >>> 16, Sat);
    drive = min64((drive * width_q) >>> 16, Sat);
    noise = 64'sd65536 + scale_noise(C2cQ <<< 16, z0);
    if (noise < 0) noise = 0;
    drive = min64((drive * noise) >>> 16, Sat);
    delta = (window * drive) >>> 16;
    wnoise = scale_noise(WriteNoiseCodes, z1);
    new_g = clip(g + (set ? delta : -delta) + wnoise, GMin, gmax);
    if (moves) begin
      r.g       = 16'(new_g);
      r.g_prog  = 16'(new_g);
      r.t_write = now;
    end
    return r;
  endfunction

  // Quarter-octave bucket of a time in us (fixed_point.log_time_index): 4 * floor(log2 t) plus
  // the two bits below the leading one, capped at the LUT's last entry.
  function automatic int unsigned log_time_index(logic [63:0] t);
    int unsigned e, f, idx;
    e = 0;
    for (int i = 0; i < 64; i++) begin
      if (t[i]) e = i;
    end
    if (e >= 2) f = int'((t >> (e - 2)) & 64'd3);
    else if (e == 1) f = int'({t[0], 1'b0});
    else f = 0;
    idx = 4 * e + f;
    return (idx > 191) ? 191 : idx;
  endfunction

  // L(t) in Q16 (0 for t < 1 us).
  function automatic longint log_time(logic [63:0] t);
    return (t == 64'd0) ? 64'sd0 : LogTimeQ[log_time_index(t)];
  endfunction

  // Relaxation of one cell over dt_eff us of effective time (FixedPointArray.advance), one draw.
  function automatic cell_word_t relax_word(cell_word_t w, logic [63:0] now,
                                            logic [63:0] dt_eff, longint z);
    cell_word_t r;
    logic [63:0] old_dt;
    longint dl, mean, sd, g;
    int unsigned g_bin;
    r = w;
    old_dt = now - w.t_write;
    dl = log_time(old_dt + dt_eff) - log_time(old_dt);
    if (dl < 0) dl = 0;
    g_bin = int'(w.g_prog) / 100;
    if (g_bin > 63) g_bin = 63;
    mean = (DriftAQ[g_bin] * dl) >>> 32;
    sd = (DiffusionQ[g_bin] * RelaxSqrtQ[w.relax_level]) >>> 16;
    sd = (sd * isqrt(dl <<< 16)) >>> 16;
    g = clip(longint'({48'd0, w.g}) + mean + scale_noise(sd, z), 64'sd0, 64'sd65535);
    r.g = 16'(g);
    return r;
  endfunction

  // MVM converters (FixedPointArray.mvm); hil_protocol_pkg's REF_MVM_* sizes the DAC and ADC.
  localparam longint MvmInSteps = (64'sd1 <<< (hil_protocol_pkg::REF_MVM_INPUT_BITS - 1)) - 1;
  localparam longint MvmAdcSteps = (64'sd1 <<< (hil_protocol_pkg::REF_MVM_ADC_BITS - 1)) - 1;
  localparam longint MvmFullScale = longint'(hil_protocol_pkg::REF_MVM_FULL_SCALE);
  localparam longint MvmAccPerNa = 64'sd25600;  // Q8 mV x 0.01 uS per nA

  // num / den rounded half away from zero (den > 0): fixed_point.round_div.
  function automatic longint round_div(longint num, longint den);
    longint a;
    a = (num < 0) ? -num : num;
    a = (2 * a + den) / (2 * den);
    return (num < 0) ? -a : a;
  endfunction

  // Row drive of an MVM input (mV): signed DAC over +-read_v, then the I-V LUT (Q8 mV).
  function automatic longint mvm_drive(logic signed [15:0] v, logic [15:0] read_v);
    longint av, q, vq, d;
    av = (v < 0) ? -longint'(v) : longint'(v);
    q  = round_div(av * MvmInSteps, longint'({48'd0, read_v}));
    if (q > MvmInSteps) q = MvmInSteps;
    vq = round_div(q * longint'({48'd0, read_v}), MvmInSteps);
    d  = IvQ[9'(vq)];
    return (v < 0) ? -d : d;
  endfunction

  // Column-pair current (nA code) of an accumulated sum of drive x (G+ - G-): signed ADC.
  function automatic longint mvm_adc(longint acc);
    longint code;
    code = round_div(acc * MvmAdcSteps, MvmAccPerNa * MvmFullScale);
    if (code > MvmAdcSteps) code = MvmAdcSteps;
    if (code < -MvmAdcSteps) code = -MvmAdcSteps;
    return round_div(code * MvmFullScale, MvmAdcSteps);
  endfunction

  // One noisy read of a cell (before averaging and the ADC).
  function automatic longint read_sample(cell_word_t w, longint z);
    longint g, sd, noisy;
    g = w.inj ? longint'({48'd0, w.inj_g})
      : w.stuck ? longint'({48'd0, w.stuck_g}) : longint'({48'd0, w.g});
    sd = ReadSd0Q + ReadRelQ * g;
    noisy = g + scale_noise(sd, z);
    return (noisy < 0) ? 64'sd0 : noisy;
  endfunction

  // Average of n reads through the 12-bit ADC, back to conductance codes.
  function automatic logic [15:0] adc_code(logic [31:0] sum, logic [7:0] n);
    logic [31:0] avg, adc, code;
    avg  = sum / {24'd0, n};
    adc  = (avg * 32'd4095 + 32'd2500) / 32'd5000;
    if (adc > 32'd4095) adc = 32'd4095;
    code = (adc * 32'd5000 + 32'd2047) / 32'd4095;
    return code[15:0];
  endfunction

  /* verilator lint_on UNUSEDSIGNAL */

endpackage
