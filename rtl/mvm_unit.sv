// Analog matrix-vector multiply over differential pairs (MVM), bit-exact with
// FixedPointArray.mvm (hil/device/fixed_point.py).
//
// Input i (mV, i16) drives row ROW + i through the signed input DAC (MvmInSteps over +-READ_V,
// saturating) and the I-V LUT (device_pkg IvQ); output j is the current of columns
// (COL + 2j, COL + 2j + 1), G+ minus G-, through the signed ADC (MvmAdcSteps over +-200 uA).
// Every device of the block takes one read draw (read_sample), row-major in ascending cell
// order. Cycles: 2 per input for the LIMIT scan, then per row 3 (load its input) + 2 * n_pairs
// (one device per cycle), then 4 per output.
//
// Checks, in the order of hil/backends/protocol_chip.py (DETAIL = field index, or the input
// index for LIMIT): odd COL, zero N_PAIRS, no inputs (BAD_ARGUMENT 1, 2, 3); ROW, COL, the rows
// and the columns outside the chip (BAD_ADDRESS 0, 1, 3, 2); an input beyond +-500 mV, the
// READ_V register's maximum (LIMIT). Nothing is drawn before every check has passed.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module mvm_unit
  import hil_protocol_pkg::*;
  import device_pkg::*;
#(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  localparam int unsigned Cells = ROWS * COLS,
  localparam int unsigned CellAw = (Cells > 1) ? $clog2(Cells) : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,     // one cycle
  input  logic [15:0]       row_i,
  input  logic [15:0]       col_i,
  input  logic [15:0]       n_pairs_i,
  input  logic [8:0]        n_inputs_i,  // (LEN - 6) / 2, 0..256
  input  logic [15:0]       read_v_i,    // READ_V register (mV)
  // Request payload (frame_rx RAM, 1-cycle read latency)
  output logic [15:0]       pl_raddr_o,
  input  logic [7:0]        pl_rdata_i,
  // Cell memory (synchronous read)
  output logic [CellAw-1:0] cell_addr_o,
  input  cell_word_t        cell_rdata_i,
  // Noise (lfsr)
  output logic              rng_step_o,
  input  logic [31:0]       rng_next_i,
  // Response RAM
  output logic              resp_we_o,
  output logic [10:0]       resp_waddr_o,
  output logic [7:0]        resp_wdata_o,
  // Completion: one-cycle done_o; OK with len_o response bytes in the RAM, or an error status
  output logic              done_o,
  output status_e           status_o,
  output logic [15:0]       detail_o,
  output logic [15:0]       len_o
);

  localparam int unsigned Pairs = COLS / 2;
  localparam int unsigned PairAw = (Pairs > 1) ? $clog2(Pairs) : 1;
  localparam logic [15:0] VInMax = 16'd500;  // spec: READ_V max (register table of PROTOCOL.md)

  typedef enum logic [2:0] {
    MIdle,
    MCheck,
    MScan,
    MLoad,
    MCell,
    MOut
  } mstate_e;

  mstate_e     state_d, state_q;
  logic [15:0] row_d, row_q, col_d, col_q, np_d, np_q, rv_d, rv_q;
  logic [8:0]  nin_d, nin_q, r_d, r_q;
  logic [9:0]  j_d, j_q;     // scan byte counter
  logic [15:0] c_d, c_q;     // device column within the block / output index
  logic [1:0]  sub_d, sub_q;
  logic [7:0]  lo_d, lo_q;
  longint      drive_d, drive_q;
  longint      acc_q [Pairs];
  logic        acc_we;
  logic [PairAw-1:0] acc_waddr;
  longint      acc_wdata;

  logic signed [15:0] v_in;
  logic [15:0]        v_abs;
  logic [9:0]         jm1;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]        cell_lin;  // only the cell-address bits are used (the block is checked)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [PairAw-1:0]  pair;

  assign jm1      = j_q - 10'd1;
  assign v_in     = {pl_rdata_i, lo_q};
  assign v_abs    = v_in[15] ? 16'(-v_in) : 16'(v_in);
  assign pair     = PairAw'(c_q >> 1);
  assign cell_lin = (32'(row_q) + 32'(r_q)) * 32'(COLS) + 32'(col_q) + 32'(c_q);

  // The device arithmetic (read_sample, mvm_drive, mvm_adc) runs only in the states that use it.
  always_comb begin
    /* verilator lint_off UNUSEDSIGNAL */
    longint sample;  // < 2^17
    longint out;     // |out| <= 200000: 32 bits are sent
    /* verilator lint_on UNUSEDSIGNAL */
    sample       = 64'sd0;
    out          = 64'sd0;
    state_d      = state_q;
    row_d        = row_q;
    col_d        = col_q;
    np_d         = np_q;
    rv_d         = rv_q;
    nin_d        = nin_q;
    r_d          = r_q;
    j_d          = j_q;
    c_d          = c_q;
    sub_d        = sub_q;
    lo_d         = lo_q;
    drive_d      = drive_q;
    acc_we       = 1'b0;
    acc_waddr    = pair;
    acc_wdata    = 64'sd0;
    pl_raddr_o   = 16'(MVM_REQ_FIXED_BYTES) + {6'd0, j_q};
    cell_addr_o  = CellAw'(cell_lin);
    rng_step_o   = 1'b0;
    resp_we_o    = 1'b0;
    resp_waddr_o = 11'd0;
    resp_wdata_o = ST_OK;
    done_o       = 1'b0;
    status_o     = ST_OK;
    detail_o     = NO_DETAIL;
    len_o        = 16'(MVM_RSP_FIXED_BYTES) + np_q * 16'(MVM_RSP_ELEMENT_BYTES);

    unique case (state_q)
      MIdle: begin
        if (start_i) begin
          row_d   = row_i;
          col_d   = col_i;
          np_d    = n_pairs_i;
          nin_d   = n_inputs_i;
          rv_d    = read_v_i;
          state_d = MCheck;
        end
      end

      MCheck: begin
        state_d = MIdle;
        done_o  = 1'b1;
        if (col_q[0]) begin
          status_o = ST_BAD_ARGUMENT; detail_o = 16'd1;
        end else if (np_q == 16'd0) begin
          status_o = ST_BAD_ARGUMENT; detail_o = 16'd2;
        end else if (nin_q == 9'd0) begin
          status_o = ST_BAD_ARGUMENT; detail_o = 16'd3;
        end else if (32'(row_q) >= 32'(ROWS)) begin
          status_o = ST_BAD_ADDRESS; detail_o = 16'd0;
        end else if (32'(col_q) >= 32'(COLS)) begin
          status_o = ST_BAD_ADDRESS; detail_o = 16'd1;
        end else if (32'(row_q) + 32'(nin_q) > 32'(ROWS)) begin
          status_o = ST_BAD_ADDRESS; detail_o = 16'd3;
        end else if (32'(col_q) + 2 * 32'(np_q) > 32'(COLS)) begin
          status_o = ST_BAD_ADDRESS; detail_o = 16'd2;
        end else begin
          done_o  = 1'b0;
          j_d     = 10'd0;
          state_d = MScan;
        end
      end

      // LIMIT scan: byte j-1 arrives while j is on the address bus.
      MScan: begin
        j_d = j_q + 10'd1;
        if (j_q != 10'd0) begin
          if (!jm1[0]) begin
            lo_d = pl_rdata_i;
          end else if (v_abs > VInMax) begin
            done_o   = 1'b1;
            status_o = ST_LIMIT;
            detail_o = {7'd0, jm1[9:1]};
            state_d  = MIdle;
          end
        end
        if (j_q == {nin_q, 1'b0} && !done_o) begin
          r_d     = 9'd0;
          sub_d   = 2'd0;
          j_d     = 10'd0;
          state_d = MLoad;
        end
      end

      // Input r: low byte, high byte, then the drive; the read of the row's first device is
      // issued in the last cycle (c = 0).
      MLoad: begin
        pl_raddr_o = 16'(MVM_REQ_FIXED_BYTES) + 16'(r_q) * 16'd2 + 16'(sub_q);
        sub_d      = sub_q + 2'd1;
        c_d        = 16'd0;
        if (sub_q == 2'd1) lo_d = pl_rdata_i;
        if (sub_q == 2'd2) begin
          drive_d = mvm_drive(v_in, rv_q);
          sub_d   = 2'd0;
          state_d = MCell;
        end
      end

      // One device per cycle; the next device's read is issued meanwhile.
      MCell: begin
        rng_step_o  = 1'b1;
        sample      = read_sample(cell_rdata_i, gauss(rng_next_i));
        acc_we      = 1'b1;
        acc_wdata   = ((r_q == 9'd0 && !c_q[0]) ? 64'sd0 : acc_q[pair]) +
                      (c_q[0] ? -(drive_q * sample) : drive_q * sample);
        cell_addr_o = CellAw'(cell_lin + 32'd1);
        c_d         = c_q + 16'd1;
        if (c_q == 2 * np_q - 16'd1) begin
          r_d     = r_q + 9'd1;
          state_d = MLoad;
          if (r_q + 9'd1 == nin_q) begin
            resp_we_o = 1'b1;  // status byte; the outputs follow
            c_d       = 16'd0;
            state_d   = MOut;
          end
        end
      end

      // Output c (i32 little-endian), byte sub.
      MOut: begin
        out          = mvm_adc(acc_q[PairAw'(c_q)]);
        resp_we_o    = 1'b1;
        resp_waddr_o = 11'(16'd1 + c_q * 16'd4 + 16'(sub_q));
        resp_wdata_o = out[8*sub_q +: 8];
        sub_d        = sub_q + 2'd1;
        if (sub_q == 2'd3) begin
          c_d = c_q + 16'd1;
          if (c_q + 16'd1 == np_q) begin
            done_o  = 1'b1;
            state_d = MIdle;
          end
        end
      end

      default: state_d = MIdle;
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (acc_we) acc_q[acc_waddr] <= acc_wdata;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= MIdle;
      row_q   <= 16'd0;
      col_q   <= 16'd0;
      np_q    <= 16'd0;
      rv_q    <= 16'd0;
      nin_q   <= 9'd0;
      r_q     <= 9'd0;
      j_q     <= 10'd0;
      c_q     <= 16'd0;
      sub_q   <= 2'd0;
      lo_q    <= 8'd0;
      drive_q <= 64'sd0;
    end else begin
      state_q <= state_d;
      row_q   <= row_d;
      col_q   <= col_d;
      np_q    <= np_d;
      rv_q    <= rv_d;
      nin_q   <= nin_d;
      r_q     <= r_d;
      j_q     <= j_d;
      c_q     <= c_d;
      sub_q   <= sub_d;
      lo_q    <= lo_d;
      drive_q <= drive_d;
    end
  end

endmodule
